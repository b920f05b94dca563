//! The `tournee` command's subcommands.
pub mod bench;
pub mod demo;
pub mod solve;

//! What people read, in their language: one string catalogue per language
//! (`web/public/i18n/fr.json`, `en.json`), shared by the server, the CLI and
//! the web pages, so that a third language is one more file. French is the
//! default: our users are French reuse networks.
//!
//! A message is a key and named arguments: `{name}` in the catalogue's text
//! is replaced by the argument `name`.

use std::collections::HashMap;
use std::sync::OnceLock;

/// A language with a catalogue.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    /// `fr` or `en` (from a query parameter or a setting); French otherwise.
    pub fn parse(code: &str) -> Lang {
        match code.trim().to_ascii_lowercase().get(..2) {
            Some("en") => Lang::En,
            _ => Lang::Fr,
        }
    }

    fn source(self) -> &'static str {
        match self {
            Lang::Fr => include_str!("../web/public/i18n/fr.json"),
            Lang::En => include_str!("../web/public/i18n/en.json"),
        }
    }

    fn catalogue(self) -> &'static HashMap<String, String> {
        static FR: OnceLock<HashMap<String, String>> = OnceLock::new();
        static EN: OnceLock<HashMap<String, String>> = OnceLock::new();
        let cell = match self {
            Lang::Fr => &FR,
            Lang::En => &EN,
        };
        // The catalogues are part of the build: a broken one is caught by
        // the tests below, and reads as empty (keys shown) rather than
        // stopping the program.
        cell.get_or_init(|| serde_json::from_str(self.source()).unwrap_or_default())
    }
}

/// The message `key` in `lang`, its `{name}` placeholders filled from
/// `args`; the English text when the language lacks it, the key itself
/// when both do.
pub fn t(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    let text = lang
        .catalogue()
        .get(key)
        .or_else(|| Lang::En.catalogue().get(key))
        .map_or(key, String::as_str);
    // One pass over the catalogue's text: an argument's own braces (a
    // caller's text) are never read as placeholders.
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}').map(|close| (&after[..close], close)) {
            Some((name, close)) => {
                match args.iter().find(|(n, _)| *n == name) {
                    Some((_, value)) => out.push_str(value),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// A figure with `digits` decimals as `lang` writes it (`712,4` in French).
pub fn decimal(lang: Lang, x: f64, digits: usize) -> String {
    let s = format!("{x:.digits$}");
    match lang {
        Lang::Fr => s.replace('.', ","),
        Lang::En => s,
    }
}

/// `n` with its noun, in the singular or the plural as `lang` has it: the
/// catalogue's `key.one` or `key.other`, with `{n}` filled (French puts 0
/// and 1 in the singular, English only 1).
pub fn count(lang: Lang, key: &str, n: usize) -> String {
    let one = match lang {
        Lang::Fr => n <= 1,
        Lang::En => n == 1,
    };
    let form = if one { "one" } else { "other" };
    t(lang, &format!("{key}.{form}"), &[("n", &n.to_string())])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_key_and_the_same_placeholders() {
        let placeholders = |s: &str| -> Vec<String> {
            let mut v: Vec<String> = s
                .split('{')
                .skip(1)
                .filter_map(|p| p.split_once('}').map(|(n, _)| n.to_string()))
                .collect();
            v.sort();
            v
        };
        let (fr, en) = (Lang::Fr.catalogue(), Lang::En.catalogue());
        assert!(fr.len() > 10, "the French catalogue reads");
        let mut keys: Vec<&String> = fr.keys().chain(en.keys()).collect();
        keys.sort();
        keys.dedup();
        for k in keys {
            let (Some(a), Some(b)) = (fr.get(k), en.get(k)) else {
                panic!("`{k}` is missing in one language");
            };
            assert_eq!(placeholders(a), placeholders(b), "`{k}`");
        }
    }

    #[test]
    fn arguments_fill_their_placeholders() {
        assert_eq!(
            t(
                Lang::Fr,
                "import.id_duplicate",
                &[("id", "P1"), ("row", "3")]
            ),
            "« P1 » est déjà pris par la ligne 3"
        );
        assert_eq!(t(Lang::En, "no.such.key", &[]), "no.such.key");
        // A caller's text holding a placeholder stays as it is.
        assert_eq!(
            t(
                Lang::En,
                "import.device_unknown",
                &[("name", "{known}"), ("known", "laptop")]
            ),
            "unknown device type `{known}`; the catalogue has: laptop"
        );
        assert_eq!(count(Lang::Fr, "count.error", 0), "0 erreur");
        assert_eq!(count(Lang::Fr, "count.error", 2), "2 erreurs");
        assert_eq!(count(Lang::En, "count.error", 0), "0 mistakes");
        assert_eq!(count(Lang::En, "count.row", 1), "1 row");
        assert_eq!(Lang::parse("en-GB"), Lang::En);
        assert_eq!(Lang::parse("fr-FR"), Lang::Fr);
        assert_eq!(Lang::parse(""), Lang::Fr);
    }
}

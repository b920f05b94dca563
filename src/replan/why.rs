//! Why a re-plan broke a promise: a catalogue key (`why.CODE` in
//! `web/public/i18n/*.json`) and its arguments, so that the board and the
//! CLI say it in their reader's language; the plan keeps the English
//! sentence too, for the API's readers (`changes[].why`, with
//! `why_code` and `why_args`).

use std::collections::BTreeMap;

use crate::i18n::Lang;

#[derive(Clone, Debug, PartialEq)]
pub struct Why {
    pub code: String,
    pub args: BTreeMap<String, String>,
}

/// What broke each promise, by request.
pub type Broken = BTreeMap<String, Why>;

impl Why {
    pub fn new(code: &str, args: &[(&str, &dyn std::fmt::Display)]) -> Why {
        Why {
            code: code.to_string(),
            args: args
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    /// The sentence in `lang`.
    pub fn said(&self, lang: Lang) -> String {
        let args: Vec<(&str, &str)> = self
            .args
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        crate::i18n::t(lang, &format!("why.{}", self.code), &args)
    }
}

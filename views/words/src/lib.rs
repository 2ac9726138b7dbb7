//! The one bilingual text type of Teahouse (`Msg`) and the reader's language
//! (`Lang`). The domain writes its refusals in it, the views show the
//! reader's half of it; both crates use this one, so nothing converts.
//! Beside it, the product's words that many pages share (`Word` and its
//! modules: roles, choices).

use std::fmt;

pub mod choices;
pub mod roles;
mod word;

pub use word::Word;

/// The reader's language. Chinese unless the reader chose English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// The `lang` attribute of a page in this language.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
}

/// A message for a person, in Chinese and in English. A page shows the
/// reader's half only (`get`); logs and the CLI show both (`Display`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Msg {
    pub zh: String,
    pub en: String,
}

impl Msg {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Msg {
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// The half a reader of `lang` sees.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} / {}", self.zh, self.en)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reader_sees_one_half() {
        let m = Msg::new("已关闭", "closed");
        assert_eq!(m.get(Lang::Zh), "已关闭");
        assert_eq!(m.get(Lang::En), "closed");
        assert_eq!(m.to_string(), "已关闭 / closed");
    }
}

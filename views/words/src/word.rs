//! `Word`: a word of the product in both languages, fixed when compiled, so
//! a list of them costs nothing until a page picks the reader's half.

use crate::{Lang, Msg};

/// A product word or short phrase in Chinese and English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Word {
    pub zh: &'static str,
    pub en: &'static str,
}

impl Word {
    pub const fn new(zh: &'static str, en: &'static str) -> Word {
        Word { zh, en }
    }

    /// The half a reader of `lang` sees.
    pub fn get(self, lang: Lang) -> &'static str {
        match lang {
            Lang::Zh => self.zh,
            Lang::En => self.en,
        }
    }

    /// The word as a message (for what takes a `Msg`).
    pub fn msg(self) -> Msg {
        Msg::new(self.zh, self.en)
    }
}

impl From<Word> for Msg {
    fn from(w: Word) -> Msg {
        w.msg()
    }
}

//! What every page needs to know about the request: language, text size,
//! who is looking, in which community, and whether htmx asked for a fragment.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
}

/// A bilingual message: shown in the reader's language first, the other after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bi {
    pub zh: String,
    pub en: String,
}

impl Bi {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Bi {
            zh: zh.into(),
            en: en.into(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct UserNav {
    pub display_name: String,
    pub login: String,
    pub is_operator: bool,
}

#[derive(Debug, Clone, Default)]
pub struct CommunityNav {
    pub slug: String,
    pub name: String,
    pub is_resident: bool,
    pub is_committee: bool,
    pub is_supervisor: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Chrome {
    pub lang: Lang,
    pub large: bool,
    pub csrf: String,
    /// The current path and query, for "back to where I was" after a preference change.
    pub path: String,
    pub user: Option<UserNav>,
    pub community: Option<CommunityNav>,
    /// htmx asked for the main content only.
    pub fragment: bool,
}

impl Chrome {
    /// Picks the string for the reader's language.
    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        match self.lang {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// Formats a number the same way in both languages.
    pub fn n(&self, n: i64) -> String {
        n.to_string()
    }

    pub fn is_committee(&self) -> bool {
        self.community.as_ref().is_some_and(|c| c.is_committee)
    }

    pub fn is_supervisor(&self) -> bool {
        self.community.as_ref().is_some_and(|c| c.is_supervisor)
    }
}

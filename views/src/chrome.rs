//! What every page needs to know about the request: language, text size,
//! who is looking, in which community, and whether htmx asked for a fragment.

pub use teahouse_words::{Lang, Msg};

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
    /// A village (村委会) rather than a compound (居委会).
    pub is_village: bool,
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
    /// scheme://host of the site (the configured public URL, else the Host
    /// header), for the share card's absolute links.
    pub origin: String,
}

impl Chrome {
    /// Picks the string for the reader's language.
    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        match self.lang {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// A product word (`crate::roles`, `crate::choices`) in the reader's language.
    pub fn w(&self, w: crate::Word) -> &'static str {
        w.get(self.lang)
    }

    /// The community's committee in words: 村委会 in a village, 居委会 in a
    /// compound (both when no community is in view).
    pub fn committee(&self) -> &'static str {
        let village = self.community.as_ref().map(|c| c.is_village);
        match (self.lang, village) {
            (Lang::Zh, Some(true)) => "村委会",
            (Lang::Zh, Some(false)) => "居委会",
            (Lang::Zh, None) => "居委会/村委会",
            (Lang::En, Some(true)) => "the village committee",
            (Lang::En, Some(false)) => "the residents' committee",
            (Lang::En, None) => "the committee",
        }
    }

    /// The committee's Chinese name, for a `Msg` built before the language is
    /// picked: 村委会 or 居委会 (居委会/村委会 when no community is in view).
    pub fn committee_zh(&self) -> &'static str {
        crate::roles::committee(self.community.as_ref().map(|c| c.is_village)).zh
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

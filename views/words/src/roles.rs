//! Who acts in a community, in words: its committee (村委会 in a village,
//! 居委会 in a compound), its supervision committee, its residents, and the
//! site's operator. Pages that span communities name each one's own committee.

use crate::Word;

pub const SUPERVISORS: Word = Word::new("监督委员会", "supervision committee");
pub const RESIDENT: Word = Word::new("居民", "resident");
pub const OPERATOR: Word = Word::new("运维", "operator");

/// The committee of a village (`Some(true)`) or a compound (`Some(false)`);
/// with no one community meant (a form that creates either), both names.
pub fn committee(village: Option<bool>) -> Word {
    match village {
        Some(true) => Word::new("村委会", "village committee"),
        Some(false) => Word::new("居委会", "residents' committee"),
        None => Word::new("居委会/村委会", "committee"),
    }
}

/// A role in a community of the given kind, by its stored name
/// ("committee", "supervisor", "resident").
pub fn role(name: &str, village: Option<bool>) -> Word {
    match name {
        "committee" => committee(village),
        "supervisor" => SUPERVISORS,
        _ => RESIDENT,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Lang;

    #[test]
    fn each_community_names_its_own_committee() {
        assert_eq!(committee(Some(true)).get(Lang::Zh), "村委会");
        assert_eq!(committee(Some(false)).get(Lang::Zh), "居委会");
        assert_eq!(role("committee", Some(true)).zh, "村委会");
        assert_eq!(role("supervisor", Some(true)), SUPERVISORS);
        assert_eq!(role("resident", None).get(Lang::En), "resident");
    }
}

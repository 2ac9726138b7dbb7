//! What a ledger entry, an audit row or an attachment is about, written
//! `kind:id` in the database (`vote:3`). One type, so a subject is never
//! spelled by hand and a typo cannot name a record that does not exist.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Subject {
    Vote(i64),
    Disclosure(i64),
    Deliberation(i64),
    Proposal(i64),
    Round(i64),
    Project(i64),
    Action(i64),
    Account(i64),
}

impl Subject {
    /// The word before the colon.
    pub fn kind(self) -> &'static str {
        match self {
            Subject::Vote(_) => "vote",
            Subject::Disclosure(_) => "disclosure",
            Subject::Deliberation(_) => "deliberation",
            Subject::Proposal(_) => "proposal",
            Subject::Round(_) => "round",
            Subject::Project(_) => "project",
            Subject::Action(_) => "action",
            Subject::Account(_) => "account",
        }
    }

    pub fn id(self) -> i64 {
        match self {
            Subject::Vote(i)
            | Subject::Disclosure(i)
            | Subject::Deliberation(i)
            | Subject::Proposal(i)
            | Subject::Round(i)
            | Subject::Project(i)
            | Subject::Action(i)
            | Subject::Account(i) => i,
        }
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind(), self.id())
    }
}

/// A subject string that is not `kind:id` with a known kind.
#[derive(Debug, PartialEq, Eq)]
pub struct UnknownSubject(pub String);

impl FromStr for Subject {
    type Err = UnknownSubject;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || UnknownSubject(s.to_string());
        let (kind, id) = s.split_once(':').ok_or_else(bad)?;
        let id: i64 = id.parse().map_err(|_| bad())?;
        Ok(match kind {
            "vote" => Subject::Vote(id),
            "disclosure" => Subject::Disclosure(id),
            "deliberation" => Subject::Deliberation(id),
            "proposal" => Subject::Proposal(id),
            "round" => Subject::Round(id),
            "project" => Subject::Project(id),
            "action" => Subject::Action(id),
            "account" => Subject::Account(id),
            _ => return Err(bad()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn written_as_kind_colon_id() {
        assert_eq!(Subject::Vote(3).to_string(), "vote:3");
        assert_eq!(Subject::Deliberation(12).to_string(), "deliberation:12");
    }

    #[test]
    fn refuses_what_is_not_a_subject() {
        for s in ["vote", "vote:", "vote:x", "ballot:1", ":1", "vote:1:2"] {
            assert!(s.parse::<Subject>().is_err(), "{s}");
        }
    }

    proptest! {
        #[test]
        fn reads_back_what_it_writes(k in 0usize..8, id in any::<i64>()) {
            let s = [
                Subject::Vote(id), Subject::Disclosure(id), Subject::Deliberation(id),
                Subject::Proposal(id), Subject::Round(id), Subject::Project(id),
                Subject::Action(id), Subject::Account(id),
            ][k];
            prop_assert_eq!(s.to_string().parse::<Subject>(), Ok(s));
        }
    }
}

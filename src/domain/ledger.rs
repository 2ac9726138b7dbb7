//! The public ledger: an append-only, hash-chained log per community of
//! everything published. Each entry's hash is SHA-256 over the canonical JSON
//! (object keys sorted, no spaces) of the entry without its hash, which names
//! the previous entry's hash. Anyone holding the JSONL file can re-check it.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub community: String,
    pub seq: i64,
    /// Unix seconds, UTC.
    pub at: i64,
    pub kind: String,
    /// What the entry is about, e.g. "vote:12".
    pub subject: String,
    pub payload: Value,
    pub prev: String,
    pub hash: String,
}

/// JSON with object keys sorted and no insignificant white space.
pub fn canonical(v: &Value) -> String {
    let mut out = String::new();
    write_canonical(v, &mut out);
    out
}

fn write_canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String((*k).clone()).to_string());
                out.push(':');
                write_canonical(&m[*k], out);
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(x, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A digest of any JSON value, for records referenced from the ledger.
pub fn digest(v: &Value) -> String {
    sha256_hex(canonical(v).as_bytes())
}

/// An entry without its hash, its payload given as canonical JSON text (as
/// stored): what the hash is taken over.
pub struct Envelope<'a> {
    pub community: &'a str,
    pub seq: i64,
    pub at: i64,
    pub kind: &'a str,
    pub subject: &'a str,
    pub payload: &'a str,
    pub prev: &'a str,
}

impl Envelope<'_> {
    /// SHA-256 over the canonical JSON of the entry without its hash (keys in
    /// sorted order), written as text so a stored payload is hashed as
    /// stored, as hex.
    pub fn hash(&self) -> String {
        hex::encode(self.digest())
    }

    /// Does `hash` (lower-case hex, as stored) name this entry?
    pub fn matches(&self, hash: &str) -> bool {
        // Compared as lower-case hex text, as stored: no decoding.
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let h = hash.as_bytes();
        h.len() == 64
            && self.digest().iter().enumerate().all(|(i, b)| {
                h[2 * i] == HEX[usize::from(b >> 4)] && h[2 * i + 1] == HEX[usize::from(b & 15)]
            })
    }

    fn digest(&self) -> [u8; 32] {
        // The text is built in one reused buffer and hashed at once: a
        // hundred thousand entries are hashed in a full `verify`.
        thread_local! {
            static TEXT: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        TEXT.with_borrow_mut(|t| {
            t.clear();
            self.write(t);
            Sha256::digest(t.as_slice()).into()
        })
    }

    fn write(&self, t: &mut Vec<u8>) {
        let mut n = itoa::Buffer::new();
        t.extend_from_slice(b"{\"at\":");
        t.extend_from_slice(n.format(self.at).as_bytes());
        t.extend_from_slice(b",\"community\":");
        json_str(t, self.community);
        t.extend_from_slice(b",\"kind\":");
        json_str(t, self.kind);
        t.extend_from_slice(b",\"payload\":");
        t.extend_from_slice(self.payload.as_bytes());
        t.extend_from_slice(b",\"prev\":");
        json_str(t, self.prev);
        t.extend_from_slice(b",\"seq\":");
        t.extend_from_slice(n.format(self.seq).as_bytes());
        t.extend_from_slice(b",\"subject\":");
        json_str(t, self.subject);
        t.push(b'}');
    }
}

/// A JSON string as serde_json writes it: text with nothing to escape is
/// copied as it is (the usual case), anything else goes through serde_json.
pub fn json_str(t: &mut Vec<u8>, s: &str) {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        t.push(b'"');
        t.extend_from_slice(s.as_bytes());
        t.push(b'"');
    } else {
        // Writing into a vector cannot fail.
        let _ = serde_json::to_writer(&mut *t, s);
    }
}

impl Entry {
    pub fn compute_hash(&self) -> String {
        Envelope {
            community: &self.community,
            seq: self.seq,
            at: self.at,
            kind: &self.kind,
            subject: &self.subject,
            payload: &canonical(&self.payload),
            prev: &self.prev,
        }
        .hash()
    }

    /// The next entry after `prev` (None for the first).
    pub fn next(
        prev: Option<&Entry>,
        community: &str,
        at: i64,
        kind: &str,
        subject: &str,
        payload: Value,
    ) -> Entry {
        let mut e = Entry {
            community: community.to_string(),
            seq: prev.map(|p| p.seq + 1).unwrap_or(1),
            at,
            kind: kind.to_string(),
            subject: subject.to_string(),
            payload,
            prev: prev
                .map(|p| p.hash.clone())
                .unwrap_or_else(|| GENESIS.to_string()),
            hash: String::new(),
        };
        e.hash = e.compute_hash();
        e
    }
}

/// The first entry that breaks the chain, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    pub seq: i64,
    pub zh: String,
    pub en: String,
}

/// Checks one community's chain in order: sequence numbers, links, hashes.
pub fn verify_chain(entries: &[Entry]) -> Result<(), Broken> {
    verify_chain_from(entries, 0, GENESIS)
}

/// Checks entries that follow entry `seq` whose hash is `hash` (0 and
/// [`GENESIS`] for a whole chain).
pub fn verify_chain_from(entries: &[Entry], seq: i64, hash: &str) -> Result<(), Broken> {
    let mut prev_hash = hash.to_string();
    for (i, e) in entries.iter().enumerate() {
        let want_seq = seq + i as i64 + 1;
        if e.seq != want_seq {
            return Err(Broken {
                seq: e.seq,
                zh: format!(
                    "第 {want_seq} 条记录缺失或顺序被改动（看到的是第 {} 条）",
                    e.seq
                ),
                en: format!(
                    "entry {want_seq} is missing or out of order (found {})",
                    e.seq
                ),
            });
        }
        if e.prev != prev_hash {
            return Err(Broken {
                seq: e.seq,
                zh: format!("第 {} 条记录没有接上前一条", e.seq),
                en: format!("entry {} does not link to the previous one", e.seq),
            });
        }
        if e.compute_hash() != e.hash {
            return Err(Broken {
                seq: e.seq,
                zh: format!("第 {} 条记录的内容与其哈希不符：它被改过", e.seq),
                en: format!(
                    "entry {}'s content does not match its hash: it was altered",
                    e.seq
                ),
            });
        }
        prev_hash = e.hash.clone();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn chain() -> Vec<Entry> {
        let a = Entry::next(
            None,
            "wutong",
            100,
            "vote.opened",
            "vote:1",
            json!({"b": 1, "a": [1, 2]}),
        );
        let b = Entry::next(
            Some(&a),
            "wutong",
            200,
            "vote.closed",
            "vote:1",
            json!({"verdict": "passed"}),
        );
        let c = Entry::next(Some(&b), "wutong", 300, "vote.final", "vote:1", json!({}));
        vec![a, b, c]
    }

    #[test]
    fn canonical_sorts_keys() {
        assert_eq!(
            canonical(&json!({"b": 1, "a": {"d": [1, "x"], "c": null}})),
            r#"{"a":{"c":null,"d":[1,"x"]},"b":1}"#
        );
    }

    #[test]
    fn a_good_chain_verifies() {
        assert!(verify_chain(&chain()).is_ok());
    }

    #[test]
    fn any_change_is_named() {
        let mut c = chain();
        c[1].payload = json!({"verdict": "failed"});
        assert_eq!(verify_chain(&c).unwrap_err().seq, 2);
        let mut c = chain();
        c.remove(1);
        assert_eq!(verify_chain(&c).unwrap_err().seq, 3);
        let mut c = chain();
        // Rewriting an entry and its hash breaks the next link.
        c[0].payload = json!({"b": 2});
        c[0].hash = c[0].compute_hash();
        assert_eq!(verify_chain(&c).unwrap_err().seq, 2);
    }

    #[test]
    fn the_envelope_is_the_canonical_json_of_the_entry() {
        for e in chain() {
            let body = serde_json::json!({
                "community": e.community, "seq": e.seq, "at": e.at, "kind": e.kind,
                "subject": e.subject, "payload": e.payload, "prev": e.prev,
            });
            assert_eq!(digest(&body), e.hash);
        }
        let odd = Entry::next(
            None,
            "社区\"x\"",
            1,
            "k\n",
            "s/é",
            json!({"t": "引号\"\u{1}"}),
        );
        let body = serde_json::json!({
            "community": odd.community, "seq": odd.seq, "at": odd.at, "kind": odd.kind,
            "subject": odd.subject, "payload": odd.payload, "prev": odd.prev,
        });
        assert_eq!(digest(&body), odd.hash);
    }

    proptest::proptest! {
        // The envelope's text is built by hand for speed: any text at all,
        // quotes and control characters included, hashes as serde_json's.
        #[test]
        fn any_text_hashes_as_its_canonical_json(
            community in "(?s).{0,12}",
            kind in "[\\x00-\\x1f\"\\\\a-z\u{7f}é社]{0,12}",
            subject in "(?s).{0,12}",
            at in proptest::num::i64::ANY,
        ) {
            let e = Entry::next(None, &community, at, &kind, &subject, json!({"t": subject}));
            let body = serde_json::json!({
                "community": e.community, "seq": e.seq, "at": e.at, "kind": e.kind,
                "subject": e.subject, "payload": e.payload, "prev": e.prev,
            });
            proptest::prop_assert_eq!(digest(&body), e.hash);
        }
    }

    #[test]
    fn jsonl_round_trip_keeps_hashes() {
        for e in chain() {
            let line = serde_json::to_string(&e).unwrap();
            let back: Entry = serde_json::from_str(&line).unwrap();
            assert_eq!(back.compute_hash(), e.hash);
        }
    }
}

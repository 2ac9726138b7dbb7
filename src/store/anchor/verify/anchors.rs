//! The latest anchor of every row, as the walk meets them: each table's
//! keys and documents kept end to end in one growing text, found through a
//! hash table of slot numbers (a hundred thousand rows in a few
//! allocations, not two each).

use hashbrown::HashTable;
use std::hash::BuildHasher;

/// One row's latest anchor: where its key and document are in the text.
pub(super) struct Slot {
    key: (usize, usize),
    doc: (usize, usize),
    /// The document and entry it was first anchored with in this walk
    /// (where two parts of a walk meet, the later part's first anchor is
    /// compared with the earlier part's last).
    first: ((usize, usize), i64),
    /// The entry that anchored it last.
    pub seq: i64,
    /// Met among the rows published now (the full check sets it).
    pub seen: bool,
}

/// The latest anchors of one table's rows, by key (JSON text).
#[derive(Default)]
pub(super) struct TableAnchors {
    text: String,
    slots: Vec<Slot>,
    /// Slot numbers with their key's hash (growing never hashes a key again).
    index: HashTable<(u64, usize)>,
    hasher: foldhash::fast::RandomState,
}

impl TableAnchors {
    /// The slot of the row with this key.
    pub fn find(&self, key: &str) -> Option<usize> {
        let h = self.hasher.hash_one(key);
        self.index
            .find(h, |&(g, i)| g == h && self.key(i) == key)
            .map(|&(_, i)| i)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.find(key).is_some()
    }

    pub fn key(&self, i: usize) -> &str {
        let (a, b) = self.slots[i].key;
        &self.text[a..b]
    }

    /// The document the row was anchored with last (canonical text).
    pub fn doc(&self, i: usize) -> &str {
        let (a, b) = self.slots[i].doc;
        &self.text[a..b]
    }

    /// The document and entry the row was first anchored with here.
    pub fn first(&self, i: usize) -> (&str, i64) {
        let ((a, b), seq) = self.slots[i].first;
        (&self.text[a..b], seq)
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn slot(&self, i: usize) -> &Slot {
        &self.slots[i]
    }

    pub fn slot_mut(&mut self, i: usize) -> &mut Slot {
        &mut self.slots[i]
    }

    /// A row met for the first time.
    pub fn insert(&mut self, key: &str, seq: i64, doc: &str) {
        let k = self.push(key);
        let d = self.push(doc);
        let i = self.slots.len();
        self.slots.push(Slot {
            key: k,
            doc: d,
            first: (d, seq),
            seq,
            seen: false,
        });
        let h = self.hasher.hash_one(key);
        self.index.insert_unique(h, (h, i), |&(g, _)| g);
    }

    /// A row anchored again with another document.
    pub fn set_doc(&mut self, i: usize, doc: &str) {
        self.slots[i].doc = self.push(doc);
    }

    fn push(&mut self, s: &str) -> (usize, usize) {
        let a = self.text.len();
        self.text.push_str(s);
        (a, self.text.len())
    }

    /// Every row: its key, latest anchor and document.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Slot, &str)> {
        (0..self.slots.len()).map(|i| (self.key(i), &self.slots[i], self.doc(i)))
    }
}

#[cfg(test)]
mod tests {
    use super::TableAnchors;

    #[test]
    fn rows_are_found_by_key_and_keep_their_latest_document() {
        let mut t = TableAnchors::default();
        for n in 0..1000 {
            t.insert(&format!("[{n}]"), n, &format!("{{\"n\":{n}}}"));
        }
        let i = t.find("[7]").expect("inserted");
        assert_eq!((t.key(i), t.doc(i), t.slot(i).seq), ("[7]", "{\"n\":7}", 7));
        t.set_doc(i, "{\"n\":\"seven\"}");
        assert_eq!(t.first(i), ("{\"n\":7}", 7));
        t.slot_mut(i).seq = 1001;
        let i = t.find("[7]").expect("still there");
        assert_eq!((t.doc(i), t.slot(i).seq), ("{\"n\":\"seven\"}", 1001));
        assert_eq!(t.doc(t.find("[999]").expect("last")), "{\"n\":999}");
        assert!(!t.contains_key("[1000]") && !t.contains_key("7"));
        assert_eq!(t.iter().count(), 1000);
    }
}

//! The integration tests, one binary (as crates.io and kanidm keep them):
//! each module drives the real server over HTTP, or the CLI, on a fresh
//! database. Add a module here rather than a new file in tests/.

mod accounts;
mod authorization;
mod ballot_batches;
mod browser;
mod browser_desks;
mod browser_forms;
mod browser_mine;
mod browser_receipts;
mod browser_refused_more;
mod browser_roll;
mod browser_supervisor;
mod browser_tables;
mod browser_tally_sheet;
mod caches;
mod channels;
mod common;
mod confirmations;
mod crash;
mod deliberations;
mod desks;
mod disclosures;
mod mine;
mod notices;
mod operations;
mod page_cache;
mod proposals;
mod refusals;
mod refused_forms;
mod refused_more;
mod refused_votes;
mod roll_import;
mod roll_pages;
mod rounds;
mod tally_sheet;
mod votes;

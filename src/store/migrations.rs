//! Numbered schema migrations, run at start-up. Never edit a released one:
//! add the next.

use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

const M001: &str = r#"
CREATE TABLE communities (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('village', 'compound')),
    tz TEXT NOT NULL DEFAULT 'Asia/Shanghai',
    contact_name TEXT NOT NULL DEFAULT '',
    contact_phone TEXT NOT NULL DEFAULT '',
    contact_address TEXT NOT NULL DEFAULT '',
    contact_hours TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);

CREATE TABLE zones (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    name TEXT NOT NULL,
    UNIQUE (community_id, name)
);

CREATE TABLE buildings (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    zone_id INTEGER NOT NULL REFERENCES zones(id),
    number TEXT NOT NULL,
    UNIQUE (community_id, number)
);

CREATE TABLE units (
    id INTEGER PRIMARY KEY,
    building_id INTEGER NOT NULL REFERENCES buildings(id),
    number TEXT NOT NULL,
    UNIQUE (building_id, number)
);

-- An owning party (业主): one person or co-owners registered together,
-- holding one or more dwellings.
CREATE TABLE owners (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    key TEXT NOT NULL,
    UNIQUE (community_id, key)
);

CREATE TABLE dwellings (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    number TEXT NOT NULL,
    floor INTEGER NOT NULL,
    area_centi INTEGER NOT NULL CHECK (area_centi > 0),
    owner_id INTEGER REFERENCES owners(id),
    UNIQUE (unit_id, number)
);
CREATE INDEX dwellings_owner ON dwellings(owner_id);

CREATE TABLE households (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    zone_id INTEGER NOT NULL REFERENCES zones(id),
    code TEXT NOT NULL,
    dwelling_id INTEGER REFERENCES dwellings(id),
    UNIQUE (community_id, code)
);

CREATE TABLE residents (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    key TEXT NOT NULL,
    household_id INTEGER NOT NULL REFERENCES households(id),
    name TEXT NOT NULL,
    phone TEXT NOT NULL DEFAULT '',
    is_adult INTEGER NOT NULL CHECK (is_adult IN (0, 1)),
    -- set when this resident is (one of) the owning party of their dwelling
    owner_id INTEGER REFERENCES owners(id),
    is_representative INTEGER NOT NULL DEFAULT 0 CHECK (is_representative IN (0, 1)),
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    UNIQUE (community_id, key)
);
CREATE INDEX residents_household ON residents(household_id);

CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    login TEXT NOT NULL UNIQUE COLLATE NOCASE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    resident_id INTEGER UNIQUE REFERENCES residents(id),
    is_operator INTEGER NOT NULL DEFAULT 0,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);

CREATE TABLE memberships (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    role TEXT NOT NULL CHECK (role IN ('resident', 'committee', 'supervisor')),
    PRIMARY KEY (account_id, community_id, role)
);

CREATE TABLE sessions (
    token_hash BLOB PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_account ON sessions(account_id);

CREATE TABLE activation_codes (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    resident_id INTEGER NOT NULL REFERENCES residents(id),
    code_hash BLOB NOT NULL UNIQUE,
    created_by INTEGER REFERENCES accounts(id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    revoked_at INTEGER
);
CREATE INDEX activation_codes_resident ON activation_codes(resident_id);

CREATE TABLE roll_imports (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    filename TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    payload TEXT NOT NULL,
    summary TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    applied_at INTEGER
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    community_id INTEGER REFERENCES communities(id),
    account_id INTEGER REFERENCES accounts(id),
    actor TEXT NOT NULL,
    at INTEGER NOT NULL,
    ip TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_community_at ON audit_log(community_id, at);
"#;

/// Votes, their frozen electorates and ballots, and the public ledger.
const M002: &str = r#"
CREATE TABLE ledger (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    seq INTEGER NOT NULL,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    payload TEXT NOT NULL,
    prev TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (community_id, seq)
);
CREATE TRIGGER ledger_append_only_update BEFORE UPDATE ON ledger
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
CREATE TRIGGER ledger_append_only_delete BEFORE DELETE ON ledger
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;

CREATE TABLE votes (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    title TEXT NOT NULL,
    explanation TEXT NOT NULL DEFAULT '',
    scope_kind TEXT NOT NULL CHECK (scope_kind IN ('community', 'zone', 'building', 'unit')),
    scope_id INTEGER,
    scope_label TEXT NOT NULL,
    rule TEXT NOT NULL,
    custom TEXT,
    secret INTEGER NOT NULL DEFAULT 0,
    opens_at INTEGER NOT NULL,
    closes_at INTEGER NOT NULL,
    publicity_days INTEGER NOT NULL DEFAULT 7,
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'closed')),
    salt TEXT NOT NULL,
    result TEXT,
    closed_at INTEGER,
    created_by INTEGER REFERENCES accounts(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX votes_community ON votes(community_id, status);

CREATE TABLE vote_electorate (
    vote_id INTEGER NOT NULL REFERENCES votes(id),
    voter TEXT NOT NULL,
    pseudonym TEXT NOT NULL,
    label TEXT NOT NULL,
    dwellings TEXT NOT NULL DEFAULT '[]',
    area_centi INTEGER,
    household TEXT,
    PRIMARY KEY (vote_id, voter)
) WITHOUT ROWID;

-- Who may cast a voter's ballot (co-owners share one).
CREATE TABLE vote_members (
    vote_id INTEGER NOT NULL REFERENCES votes(id),
    resident_id INTEGER NOT NULL REFERENCES residents(id),
    voter TEXT NOT NULL,
    PRIMARY KEY (vote_id, resident_id)
) WITHOUT ROWID;

CREATE TABLE ballots (
    vote_id INTEGER NOT NULL REFERENCES votes(id),
    voter TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('online', 'paper')),
    choice TEXT NOT NULL CHECK (choice IN ('agree', 'disagree', 'abstain')),
    cast_by_resident INTEGER REFERENCES residents(id),
    entered_by INTEGER REFERENCES accounts(id),
    cast_at INTEGER NOT NULL,
    receipt TEXT NOT NULL UNIQUE,
    PRIMARY KEY (vote_id, voter, channel)
) WITHOUT ROWID;
"#;

/// The publicity period after a result: objections, answers, and the final result.
const M003: &str = r#"
ALTER TABLE votes ADD COLUMN final_at INTEGER;
CREATE TABLE vote_objections (
    id INTEGER PRIMARY KEY,
    vote_id INTEGER NOT NULL REFERENCES votes(id),
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    author TEXT NOT NULL,
    text TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    answer TEXT,
    answered_by INTEGER REFERENCES accounts(id),
    answered_at INTEGER
);
CREATE INDEX vote_objections_vote ON vote_objections(vote_id);
"#;

/// Elevator retrofits: the cost-sharing plan and the consent of owners whose
/// private part the shaft occupies.
const M004: &str = r#"
CREATE TABLE vote_elevator (
    vote_id INTEGER PRIMARY KEY REFERENCES votes(id),
    total_fen INTEGER NOT NULL CHECK (total_fen >= 0),
    coefficients TEXT NOT NULL
);
CREATE TABLE vote_affected (
    vote_id INTEGER NOT NULL REFERENCES votes(id),
    dwelling TEXT NOT NULL,
    consent INTEGER CHECK (consent IN (0, 1)),
    note TEXT NOT NULL DEFAULT '',
    recorded_by INTEGER REFERENCES accounts(id),
    recorded_at INTEGER NOT NULL,
    PRIMARY KEY (vote_id, dwelling)
) WITHOUT ROWID;
"#;

/// Proxies (委托投票): a written authorization for one vote; the proxy's
/// ballot is marked, and the principal's own ballot overrides it.
const M005: &str = r#"
ALTER TABLE ballots ADD COLUMN by_proxy INTEGER REFERENCES residents(id);
CREATE TABLE vote_proxies (
    vote_id INTEGER NOT NULL REFERENCES votes(id),
    voter TEXT NOT NULL,
    proxy_resident_id INTEGER NOT NULL REFERENCES residents(id),
    authorization TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    recorded_by INTEGER REFERENCES accounts(id),
    recorded_at INTEGER NOT NULL,
    PRIMARY KEY (vote_id, voter)
) WITHOUT ROWID;
"#;

/// Single- and multiple-choice votes (options as JSON; a ballot's choice is
/// then letters like "A+C", checked by the domain, not by SQLite), and
/// attachments (plan documents, scanned vouchers, photos) for any record.
const M006: &str = r#"
ALTER TABLE votes ADD COLUMN options TEXT;
CREATE TABLE ballots_v6 (
    vote_id INTEGER NOT NULL REFERENCES votes(id),
    voter TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('online', 'paper')),
    choice TEXT NOT NULL CHECK (length(choice) BETWEEN 1 AND 64),
    cast_by_resident INTEGER REFERENCES residents(id),
    entered_by INTEGER REFERENCES accounts(id),
    cast_at INTEGER NOT NULL,
    receipt TEXT NOT NULL UNIQUE,
    by_proxy INTEGER REFERENCES residents(id),
    PRIMARY KEY (vote_id, voter, channel)
) WITHOUT ROWID;
INSERT INTO ballots_v6 (vote_id, voter, channel, choice, cast_by_resident, entered_by, cast_at, receipt, by_proxy)
    SELECT vote_id, voter, channel, choice, cast_by_resident, entered_by, cast_at, receipt, by_proxy FROM ballots;
DROP TABLE ballots;
ALTER TABLE ballots_v6 RENAME TO ballots;

CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    owner TEXT NOT NULL,
    name TEXT NOT NULL,
    mime TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    data BLOB NOT NULL,
    uploaded_by INTEGER REFERENCES accounts(id),
    uploaded_at INTEGER NOT NULL
);
CREATE INDEX attachments_owner ON attachments(community_id, owner);
"#;

/// Disclosures (村务/居务公开): a record per category and period, its
/// revisions (a published revision is frozen by triggers; a correction is a
/// new revision), the supervisors' sign-offs, and threads: the supervision
/// committee's queries and residents' questions, each with its answer.
const M007: &str = r#"
CREATE TABLE disclosure_cadence (
    community_id INTEGER NOT NULL REFERENCES communities(id),
    category TEXT NOT NULL,
    cadence TEXT NOT NULL CHECK (cadence IN ('monthly', 'quarterly', 'yearly', 'prompt')),
    PRIMARY KEY (community_id, category)
) WITHOUT ROWID;

CREATE TABLE disclosures (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    category TEXT NOT NULL,
    period TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'review', 'queried', 'published')),
    published_rev INTEGER,
    created_by INTEGER REFERENCES accounts(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX disclosures_board ON disclosures(community_id, category, period);

CREATE TABLE disclosure_revisions (
    disclosure_id INTEGER NOT NULL REFERENCES disclosures(id),
    rev INTEGER NOT NULL,
    title TEXT NOT NULL,
    explanation TEXT NOT NULL DEFAULT '',
    rows TEXT NOT NULL,
    reason TEXT,
    created_by INTEGER REFERENCES accounts(id),
    created_at INTEGER NOT NULL,
    published_at INTEGER,
    PRIMARY KEY (disclosure_id, rev)
) WITHOUT ROWID;
CREATE TRIGGER disclosure_published_frozen BEFORE UPDATE ON disclosure_revisions
WHEN OLD.published_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a published disclosure revision cannot change'); END;
CREATE TRIGGER disclosure_published_kept BEFORE DELETE ON disclosure_revisions
WHEN OLD.published_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a published disclosure revision cannot be deleted'); END;

CREATE TABLE disclosure_signoffs (
    disclosure_id INTEGER NOT NULL REFERENCES disclosures(id),
    rev INTEGER NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    name TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    signed_at INTEGER NOT NULL,
    PRIMARY KEY (disclosure_id, rev, account_id, content_hash)
) WITHOUT ROWID;

CREATE TABLE disclosure_threads (
    id INTEGER PRIMARY KEY,
    disclosure_id INTEGER NOT NULL REFERENCES disclosures(id),
    kind TEXT NOT NULL CHECK (kind IN ('query', 'question')),
    rev INTEGER NOT NULL,
    row INTEGER,
    text TEXT NOT NULL,
    author TEXT NOT NULL,
    asked_by INTEGER REFERENCES accounts(id),
    asked_at INTEGER NOT NULL,
    answer TEXT,
    answered_by INTEGER REFERENCES accounts(id),
    answered_at INTEGER
);
CREATE INDEX disclosure_threads_by ON disclosure_threads(disclosure_id, kind);
"#;

/// Deliberations (流动的茶馆): meetings, agenda items (residents may
/// suggest), attendance and guests, minutes as revisions (published ones
/// frozen), confirmations by attendees, and follow-up actions.
const M008: &str = r#"
CREATE TABLE deliberations (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    title TEXT NOT NULL,
    place TEXT NOT NULL,
    place_label TEXT NOT NULL,
    venue TEXT NOT NULL DEFAULT '',
    starts_at INTEGER NOT NULL,
    ends_at INTEGER NOT NULL,
    host TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'held', 'published')),
    checkin_token TEXT NOT NULL,
    published_rev INTEGER,
    created_by INTEGER REFERENCES accounts(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX deliberations_by_time ON deliberations(community_id, starts_at);

CREATE TABLE agenda_items (
    id INTEGER PRIMARY KEY,
    deliberation_id INTEGER NOT NULL REFERENCES deliberations(id),
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL CHECK (state IN ('suggested', 'agenda', 'declined')),
    suggested_by INTEGER REFERENCES accounts(id),
    suggester TEXT,
    proposal_id INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX agenda_items_of ON agenda_items(deliberation_id);

CREATE TABLE attendance (
    deliberation_id INTEGER NOT NULL REFERENCES deliberations(id),
    resident_id INTEGER NOT NULL REFERENCES residents(id),
    how TEXT NOT NULL CHECK (how IN ('qr', 'host')),
    at INTEGER NOT NULL,
    PRIMARY KEY (deliberation_id, resident_id)
) WITHOUT ROWID;

CREATE TABLE deliberation_guests (
    id INTEGER PRIMARY KEY,
    deliberation_id INTEGER NOT NULL REFERENCES deliberations(id),
    name TEXT NOT NULL,
    role TEXT NOT NULL
);

CREATE TABLE minutes_revisions (
    deliberation_id INTEGER NOT NULL REFERENCES deliberations(id),
    rev INTEGER NOT NULL,
    body TEXT NOT NULL,
    reason TEXT,
    created_by INTEGER REFERENCES accounts(id),
    created_at INTEGER NOT NULL,
    published_at INTEGER,
    PRIMARY KEY (deliberation_id, rev)
) WITHOUT ROWID;
CREATE TRIGGER minutes_published_frozen BEFORE UPDATE ON minutes_revisions
WHEN OLD.published_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'published minutes cannot change'); END;
CREATE TRIGGER minutes_published_kept BEFORE DELETE ON minutes_revisions
WHEN OLD.published_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'published minutes cannot be deleted'); END;

CREATE TABLE minutes_confirmations (
    deliberation_id INTEGER NOT NULL REFERENCES deliberations(id),
    rev INTEGER NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    at INTEGER NOT NULL,
    PRIMARY KEY (deliberation_id, rev, account_id)
) WITHOUT ROWID;

CREATE TABLE actions (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    deliberation_id INTEGER NOT NULL REFERENCES deliberations(id),
    item_id INTEGER NOT NULL,
    title TEXT NOT NULL,
    owner TEXT NOT NULL,
    due TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
    report TEXT,
    closed_by INTEGER REFERENCES accounts(id),
    closed_at INTEGER,
    created_at INTEGER NOT NULL,
    UNIQUE (deliberation_id, item_id, title)
);
CREATE INDEX actions_open ON actions(community_id, status, due);
"#;

const M009: &str = r#"
ALTER TABLE communities ADD COLUMN proposal_threshold TEXT NOT NULL DEFAULT '10';

CREATE TABLE proposals (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    author_id INTEGER NOT NULL REFERENCES accounts(id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    category TEXT NOT NULL,
    place TEXT NOT NULL,
    place_label TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN
        ('draft', 'open', 'review', 'scheduled', 'voting', 'dispatched', 'in_progress', 'completed', 'declined', 'withdrawn')),
    needed INTEGER NOT NULL DEFAULT 0,
    cosigns INTEGER NOT NULL DEFAULT 0,
    decision_reason TEXT,
    deliberation_id INTEGER REFERENCES deliberations(id),
    vote_id INTEGER REFERENCES votes(id),
    assignee_kind TEXT,
    assignee_name TEXT,
    assignee_account INTEGER REFERENCES accounts(id),
    report TEXT,
    created_at INTEGER NOT NULL,
    published_at INTEGER,
    completed_at INTEGER
);
CREATE INDEX proposals_by_status ON proposals(community_id, status);

CREATE TABLE proposal_cosigns (
    proposal_id INTEGER NOT NULL REFERENCES proposals(id),
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (proposal_id, account_id)
) WITHOUT ROWID;

CREATE TABLE proposal_comments (
    id INTEGER PRIMARY KEY,
    proposal_id INTEGER NOT NULL REFERENCES proposals(id),
    parent_id INTEGER REFERENCES proposal_comments(id),
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX proposal_comments_by_proposal ON proposal_comments(proposal_id);

CREATE TABLE proposal_events (
    id INTEGER PRIMARY KEY,
    proposal_id INTEGER NOT NULL REFERENCES proposals(id),
    kind TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    actor_id INTEGER REFERENCES accounts(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX proposal_events_by_proposal ON proposal_events(proposal_id);

CREATE TABLE proposal_ratings (
    proposal_id INTEGER NOT NULL REFERENCES proposals(id),
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    score INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
    comment TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    PRIMARY KEY (proposal_id, account_id)
) WITHOUT ROWID;

CREATE TABLE rounds (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    budget INTEGER NOT NULL CHECK (budget > 0),
    min_cost INTEGER NOT NULL CHECK (min_cost >= 0),
    max_cost INTEGER NOT NULL CHECK (max_cost >= min_cost),
    place TEXT NOT NULL,
    place_label TEXT NOT NULL,
    rule TEXT NOT NULL CHECK (rule IN ('greedy', 'mes')),
    max_approvals INTEGER CHECK (max_approvals IS NULL OR max_approvals > 0),
    collect_until TEXT NOT NULL,
    review_until TEXT NOT NULL,
    vote_until TEXT NOT NULL,
    phase TEXT NOT NULL DEFAULT 'collect' CHECK (phase IN ('collect', 'review', 'vote', 'results')),
    imported INTEGER NOT NULL DEFAULT 0,
    result TEXT,
    created_by INTEGER REFERENCES accounts(id),
    created_at INTEGER NOT NULL
);

CREATE TABLE round_projects (
    id INTEGER PRIMARY KEY,
    round_id INTEGER NOT NULL REFERENCES rounds(id),
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    team TEXT NOT NULL DEFAULT '',
    proposed_cost INTEGER NOT NULL CHECK (proposed_cost >= 0),
    cost INTEGER NOT NULL CHECK (cost >= 0),
    cost_reason TEXT NOT NULL DEFAULT '',
    review TEXT NOT NULL DEFAULT 'pending' CHECK (review IN ('pending', 'feasible', 'infeasible')),
    review_reason TEXT NOT NULL DEFAULT '',
    submitted_by INTEGER REFERENCES accounts(id),
    funded INTEGER NOT NULL DEFAULT 0,
    progress TEXT NOT NULL DEFAULT 'not_started' CHECK (progress IN ('not_started', 'in_progress', 'completed')),
    created_at INTEGER NOT NULL,
    UNIQUE (round_id, code)
);

CREATE TABLE round_ballots (
    id INTEGER PRIMARY KEY,
    round_id INTEGER NOT NULL REFERENCES rounds(id),
    voter TEXT NOT NULL,
    cast_at INTEGER NOT NULL,
    UNIQUE (round_id, voter)
);

CREATE TABLE round_approvals (
    ballot_id INTEGER NOT NULL REFERENCES round_ballots(id),
    project_id INTEGER NOT NULL REFERENCES round_projects(id),
    PRIMARY KEY (ballot_id, project_id)
) WITHOUT ROWID;

CREATE TABLE round_milestones (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES round_projects(id),
    title TEXT NOT NULL,
    due TEXT NOT NULL,
    spent INTEGER NOT NULL DEFAULT 0 CHECK (spent >= 0),
    disclosure_id INTEGER REFERENCES disclosures(id),
    done_at INTEGER,
    note TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
"#;

/// The proposals list reads a community's newest first, a page at a time:
/// an index in that order spares a sort of every proposal per request.
const M010: &str = r#"
CREATE INDEX proposals_by_community ON proposals(community_id, id);
"#;

/// Separation of powers and accountable resets: a membership that would put
/// one account on the committee and the supervision committee of the same
/// community is refused by the database itself; a reset code carries its
/// stated reason; every password reset is recorded as the act of whoever
/// caused it, for the owner to be told and the supervisors to see; each
/// session has its own CSRF token.
const M011: &str = r#"
CREATE TRIGGER memberships_powers_apart_insert BEFORE INSERT ON memberships
WHEN (NEW.role = 'supervisor' AND EXISTS (SELECT 1 FROM memberships m
        WHERE m.account_id = NEW.account_id AND m.community_id = NEW.community_id AND m.role = 'committee'))
  OR (NEW.role = 'committee' AND EXISTS (SELECT 1 FROM memberships m
        WHERE m.account_id = NEW.account_id AND m.community_id = NEW.community_id AND m.role = 'supervisor'))
BEGIN
    SELECT RAISE(ABORT, 'separation of powers: committee and supervision committee at once (villagers committees law art. 32)');
END;

CREATE TRIGGER memberships_powers_apart_update BEFORE UPDATE ON memberships
WHEN (NEW.role = 'supervisor' AND EXISTS (SELECT 1 FROM memberships m
        WHERE m.account_id = NEW.account_id AND m.community_id = NEW.community_id AND m.role = 'committee'
          AND m.rowid != OLD.rowid))
  OR (NEW.role = 'committee' AND EXISTS (SELECT 1 FROM memberships m
        WHERE m.account_id = NEW.account_id AND m.community_id = NEW.community_id AND m.role = 'supervisor'
          AND m.rowid != OLD.rowid))
BEGIN
    SELECT RAISE(ABORT, 'separation of powers: committee and supervision committee at once (villagers committees law art. 32)');
END;

-- A code for a resident who already has an account resets that account's
-- password: it names the account and the committee's stated reason.
ALTER TABLE activation_codes ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE activation_codes ADD COLUMN account_id INTEGER REFERENCES accounts(id);

CREATE TABLE password_resets (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    community_id INTEGER REFERENCES communities(id),
    by_account_id INTEGER REFERENCES accounts(id),
    by_role TEXT NOT NULL CHECK (by_role IN ('committee', 'operator')),
    reason TEXT NOT NULL DEFAULT '',
    code_id INTEGER REFERENCES activation_codes(id),
    at INTEGER NOT NULL,
    seen_at INTEGER
);
CREATE INDEX password_resets_account ON password_resets(account_id, seen_at);
CREATE INDEX password_resets_community ON password_resets(community_id, at);

ALTER TABLE sessions ADD COLUMN csrf TEXT NOT NULL DEFAULT '';
UPDATE sessions SET csrf = lower(hex(randomblob(32)));
"#;

/// Who used a code from where, and who acknowledged a reset from what kind
/// of session, so that the supervisors can tell the committee's own hand;
/// and the devices that have logged in with a password (see `web::throttle`).
const M012: &str = r#"
-- A session opened by a password login, or by an activation code.
ALTER TABLE sessions ADD COLUMN kind TEXT NOT NULL DEFAULT 'login' CHECK (kind IN ('login', 'code'));

-- The address a code was issued from (the committee member's) and used from.
ALTER TABLE activation_codes ADD COLUMN created_ip TEXT;
ALTER TABLE activation_codes ADD COLUMN used_ip TEXT;

-- Where a reset was done from; when the owner acknowledged it, from which
-- kind of session and from where.
ALTER TABLE password_resets ADD COLUMN used_ip TEXT;
ALTER TABLE password_resets ADD COLUMN seen_kind TEXT;
ALTER TABLE password_resets ADD COLUMN seen_ip TEXT;

-- Earlier rows: the addresses as the audit log has them (same transaction, same second).
UPDATE activation_codes SET created_ip = (
    SELECT a.ip FROM audit_log a
    WHERE a.community_id = activation_codes.community_id AND a.account_id = activation_codes.created_by
      AND a.action IN ('codes.issue', 'codes.reissue')
      AND a.at BETWEEN activation_codes.created_at - 1 AND activation_codes.created_at + 1
    ORDER BY a.id LIMIT 1);
UPDATE activation_codes SET used_ip = (
    SELECT a.ip FROM audit_log a
    WHERE a.community_id = activation_codes.community_id AND a.action IN ('auth.activate', 'auth.reset')
      AND (a.target = 'resident #' || activation_codes.resident_id
           OR a.target LIKE 'resident #' || activation_codes.resident_id || ' %')
      AND a.at BETWEEN activation_codes.used_at - 1 AND activation_codes.used_at + 1
    ORDER BY a.id LIMIT 1)
WHERE used_at IS NOT NULL;
UPDATE password_resets SET used_ip = (SELECT k.used_ip FROM activation_codes k WHERE k.id = password_resets.code_id)
WHERE code_id IS NOT NULL;
UPDATE password_resets SET used_ip = (
    SELECT a.ip FROM audit_log a
    WHERE a.action = 'auth.reset' AND a.account_id = password_resets.by_account_id
      AND a.at BETWEEN password_resets.at - 1 AND password_resets.at + 1
    ORDER BY a.id LIMIT 1)
WHERE code_id IS NULL;

-- A browser that has logged in to an account with its password carries a
-- random mark (a cookie); only its SHA-256 is here. See web::throttle.
CREATE TABLE login_marks (
    token_hash BLOB NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (token_hash, account_id)
) WITHOUT ROWID;
CREATE INDEX login_marks_account ON login_marks(account_id);
"#;

/// A web import of a .pb file runs in the background, written in chunks
/// (the round stays hidden, `imported = 2`, until its last short
/// transaction); the committee follows it here. `key` makes a retry of the
/// same form land on the same import instead of a second round.
const M013: &str = r#"
CREATE TABLE round_imports (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    key TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('counting', 'writing', 'done', 'failed')),
    file_name TEXT NOT NULL,
    file_sha256 TEXT NOT NULL DEFAULT '',
    rule TEXT NOT NULL,
    voters INTEGER NOT NULL,
    written INTEGER NOT NULL DEFAULT 0,
    round_id INTEGER REFERENCES rounds(id),
    message_zh TEXT NOT NULL DEFAULT '',
    message_en TEXT NOT NULL DEFAULT '',
    created_by INTEGER REFERENCES accounts(id),
    created_at INTEGER NOT NULL,
    finished_at INTEGER,
    UNIQUE (community_id, key)
);
"#;

/// Roll imports written in short transactions: a plan is staged here a
/// chunk at a time (invisible to every page) and swapped into the roll by one
/// short transaction, refused if the roll's version moved since the plan
/// was made. A preview being applied says so and how far it got; its parsed
/// roll is kept apart.
const M014: &str = r#"
CREATE TABLE roll_versions (
    community_id INTEGER PRIMARY KEY REFERENCES communities(id),
    version INTEGER NOT NULL
);

CREATE TABLE roll_stages (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    import_id INTEGER REFERENCES roll_imports(id),
    created_at INTEGER NOT NULL
);

-- References to rows of the same import are stored as -(n + 1) for its n-th
-- new row of that table; an id otherwise. A row with an id updates that row.
CREATE TABLE roll_stage_zones (
    stage INTEGER NOT NULL, seq INTEGER NOT NULL, name TEXT NOT NULL,
    PRIMARY KEY (stage, seq)) WITHOUT ROWID;
CREATE TABLE roll_stage_buildings (
    stage INTEGER NOT NULL, seq INTEGER NOT NULL, id INTEGER, number TEXT, zone_ref INTEGER NOT NULL,
    PRIMARY KEY (stage, seq)) WITHOUT ROWID;
CREATE TABLE roll_stage_units (
    stage INTEGER NOT NULL, seq INTEGER NOT NULL, building_ref INTEGER NOT NULL, number TEXT NOT NULL,
    PRIMARY KEY (stage, seq)) WITHOUT ROWID;
CREATE TABLE roll_stage_owners (
    stage INTEGER NOT NULL, seq INTEGER NOT NULL, key TEXT NOT NULL,
    PRIMARY KEY (stage, seq)) WITHOUT ROWID;
CREATE TABLE roll_stage_dwellings (
    stage INTEGER NOT NULL, seq INTEGER NOT NULL, id INTEGER, unit_ref INTEGER NOT NULL,
    number TEXT NOT NULL, floor INTEGER NOT NULL, area_centi INTEGER NOT NULL, owner_ref INTEGER NOT NULL,
    PRIMARY KEY (stage, seq)) WITHOUT ROWID;
CREATE TABLE roll_stage_households (
    stage INTEGER NOT NULL, seq INTEGER NOT NULL, id INTEGER, code TEXT NOT NULL,
    zone_ref INTEGER NOT NULL, dwelling_ref INTEGER,
    PRIMARY KEY (stage, seq)) WITHOUT ROWID;
CREATE TABLE roll_stage_residents (
    stage INTEGER NOT NULL, seq INTEGER NOT NULL, id INTEGER, key TEXT NOT NULL,
    household_ref INTEGER NOT NULL, name TEXT NOT NULL, phone TEXT NOT NULL, is_adult INTEGER NOT NULL,
    owner_ref INTEGER, is_representative INTEGER NOT NULL,
    PRIMARY KEY (stage, seq)) WITHOUT ROWID;
CREATE TABLE roll_stage_moved_out (
    stage INTEGER NOT NULL, seq INTEGER NOT NULL, resident_id INTEGER NOT NULL,
    PRIMARY KEY (stage, seq)) WITHOUT ROWID;

ALTER TABLE roll_imports ADD COLUMN state TEXT NOT NULL DEFAULT 'preview'
    CHECK (state IN ('preview', 'applying', 'applied'));
UPDATE roll_imports SET state = 'applied' WHERE applied_at IS NOT NULL;
ALTER TABLE roll_imports ADD COLUMN deactivate_missing INTEGER NOT NULL DEFAULT 0;
ALTER TABLE roll_imports ADD COLUMN staged INTEGER NOT NULL DEFAULT 0;
ALTER TABLE roll_imports ADD COLUMN to_stage INTEGER NOT NULL DEFAULT 0;
ALTER TABLE roll_imports ADD COLUMN message_zh TEXT NOT NULL DEFAULT '';
ALTER TABLE roll_imports ADD COLUMN message_en TEXT NOT NULL DEFAULT '';

-- The parsed roll a preview holds (megabytes for a large roll) in a row of
-- its own, so that the small updates of an import (its state, its progress,
-- in the swap's transaction too) do not rewrite it; dropped once applied.
CREATE TABLE roll_import_payloads (
    import_id INTEGER PRIMARY KEY REFERENCES roll_imports(id) ON DELETE CASCADE,
    payload TEXT NOT NULL
);
INSERT INTO roll_import_payloads (import_id, payload)
    SELECT id, payload FROM roll_imports WHERE applied_at IS NULL;
UPDATE roll_imports SET payload = '';
"#;

/// A vote's kind, chosen by the committee: only an elevator retrofit gets
/// the cost-sharing plan and the affected owners' consent. Votes that
/// already have a cost-sharing plan were elevator retrofits.
const M016: &str = r#"
ALTER TABLE votes ADD COLUMN kind TEXT NOT NULL DEFAULT 'general'
    CHECK (kind IN ('general', 'elevator'));
UPDATE votes SET kind = 'elevator' WHERE id IN (SELECT vote_id FROM vote_elevator);
"#;

/// Notices (issue 17): the roll's optional e-mail; each notice, written in
/// the transaction of its event; per household, whether and how it was
/// reached (the delivery record, 送达台账) with a paper receipt's token; the
/// outbox of deliveries the worker sends, and every attempt.
const M017: &str = r#"
ALTER TABLE residents ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE roll_stage_residents ADD COLUMN email TEXT NOT NULL DEFAULT '';

CREATE TABLE notices (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    kind TEXT NOT NULL CHECK (kind IN ('vote_opened', 'vote_closing', 'meeting_planned',
        'minutes_published', 'disclosure_published', 'proposal_changed', 'vote_result')),
    subject TEXT NOT NULL,
    -- the ledger entry it came from (NULL for a reminder)
    ledger_seq INTEGER,
    title_zh TEXT NOT NULL,
    title_en TEXT NOT NULL,
    body_zh TEXT NOT NULL,
    body_en TEXT NOT NULL,
    -- the page, relative to the site's address
    path TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    -- distinguishes repeated notices of one kind for one subject
    dedupe TEXT NOT NULL DEFAULT '',
    UNIQUE (community_id, kind, subject, dedupe)
);
CREATE INDEX notices_subject ON notices(community_id, subject);

CREATE TABLE notice_households (
    notice_id INTEGER NOT NULL REFERENCES notices(id),
    household_id INTEGER NOT NULL REFERENCES households(id),
    receipt TEXT NOT NULL UNIQUE,
    reached_at INTEGER,
    reached_by TEXT CHECK (reached_by IN ('email', 'sms', 'wecom', 'webhook', 'paper', 'web')),
    -- who ticked or scanned a paper receipt
    recorded_by INTEGER REFERENCES accounts(id),
    PRIMARY KEY (notice_id, household_id)
) WITHOUT ROWID;
CREATE INDEX notice_households_household ON notice_households(household_id);

CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    notice_id INTEGER NOT NULL REFERENCES notices(id),
    community_id INTEGER NOT NULL REFERENCES communities(id),
    household_id INTEGER NOT NULL REFERENCES households(id),
    resident_id INTEGER REFERENCES residents(id),
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'wecom', 'webhook')),
    state TEXT NOT NULL DEFAULT 'queued'
        CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'skipped')),
    attempts INTEGER NOT NULL DEFAULT 0,
    due_at INTEGER NOT NULL,
    provider_id TEXT,
    last_error TEXT,
    sent_at INTEGER
);
CREATE INDEX deliveries_due ON deliveries(state, due_at);
CREATE INDEX deliveries_notice ON deliveries(notice_id, household_id);

CREATE TABLE delivery_attempts (
    delivery_id INTEGER NOT NULL REFERENCES deliveries(id),
    n INTEGER NOT NULL,
    at INTEGER NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('sending', 'sent', 'retry', 'failed', 'interrupted', 'skipped')),
    detail TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (delivery_id, n)
) WITHOUT ROWID;
"#;

/// Notice channels and residents' choices (issue 17): a community's delivery
/// channels as its committee set them (settings as JSON, the secret kept
/// apart and never shown), and each resident's channels, digest, daily limit
/// and the token of their no-login unsubscribe link.
const M018: &str = r#"
CREATE TABLE notify_channels (
    community_id INTEGER NOT NULL REFERENCES communities(id),
    kind TEXT NOT NULL CHECK (kind IN ('email', 'sms', 'wecom', 'webhook')),
    config_json TEXT NOT NULL DEFAULT '{}',
    secret TEXT NOT NULL DEFAULT '',
    enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (community_id, kind)
) WITHOUT ROWID;

CREATE TABLE notify_prefs (
    resident_id INTEGER PRIMARY KEY REFERENCES residents(id),
    email INTEGER NOT NULL CHECK (email IN (0, 1)),
    sms INTEGER NOT NULL CHECK (sms IN (0, 1)),
    digest INTEGER NOT NULL DEFAULT 0 CHECK (digest IN (0, 1)),
    daily_limit INTEGER NOT NULL DEFAULT 3 CHECK (daily_limit BETWEEN 1 AND 20),
    unsubscribed_at INTEGER,
    unsubscribe_token TEXT NOT NULL UNIQUE,
    updated_at INTEGER NOT NULL
);
"#;

/// An elevator vote's floors, frozen at opening (`store::elevator`); NULL
/// for a draft and for votes opened before this version.
const M019: &str = r#"
ALTER TABLE vote_elevator ADD COLUMN floors TEXT;
"#;

/// Group posts (`store::notices`): one message per notice to a community's
/// group chat (WeCom robot) or webhook, for no household in particular, so a
/// post reaches no household on the record.
const M020: &str = r#"
CREATE TABLE group_posts (
    id INTEGER PRIMARY KEY,
    notice_id INTEGER NOT NULL REFERENCES notices(id),
    community_id INTEGER NOT NULL REFERENCES communities(id),
    channel TEXT NOT NULL CHECK (channel IN ('wecom', 'webhook')),
    state TEXT NOT NULL DEFAULT 'queued'
        CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'skipped')),
    attempts INTEGER NOT NULL DEFAULT 0,
    due_at INTEGER NOT NULL,
    provider_id TEXT,
    last_error TEXT,
    sent_at INTEGER,
    UNIQUE (notice_id, channel)
);
CREATE INDEX group_posts_due ON group_posts(state, due_at);
-- A delivery that went inside another's message (a resident's digest).
ALTER TABLE deliveries ADD COLUMN digest_of INTEGER REFERENCES deliveries(id);
-- A resident's messages sent today, for their daily limit.
CREATE INDEX deliveries_resident ON deliveries(resident_id, sent_at);
"#;

/// The supervisor's verdict on an answered disclosure query
/// (`store::disclosures::verdicts`): accepted, or queried again (the new
/// query is a thread of its own). One verdict per answer.
const M021: &str = r#"
CREATE TABLE disclosure_verdicts (
    id INTEGER PRIMARY KEY,
    thread_id INTEGER NOT NULL UNIQUE REFERENCES disclosure_threads(id),
    disclosure_id INTEGER NOT NULL REFERENCES disclosures(id),
    verdict TEXT NOT NULL CHECK (verdict IN ('accepted', 'requeried')),
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    name TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX disclosure_verdicts_by ON disclosure_verdicts(disclosure_id);
"#;

/// A co-signature can be withdrawn while the proposal collects them
/// (`store::proposals::cosigns`): the row stays, marked withdrawn, and each
/// change is anchored in the ledger. Indexes for a resident's own record on
/// the account page (`store::mine`): what they wrote, co-signed, were an
/// elector of, cast in a round and asked.
const M022: &str = r#"
ALTER TABLE proposal_cosigns ADD COLUMN withdrawn_at INTEGER;
CREATE INDEX proposal_cosigns_by_account ON proposal_cosigns(account_id);
CREATE INDEX proposals_by_author ON proposals(author_id);
CREATE INDEX vote_members_by_resident ON vote_members(resident_id);
CREATE INDEX round_ballots_by_voter ON round_ballots(voter);
CREATE INDEX disclosure_threads_by_asker ON disclosure_threads(asked_by);
"#;

/// The roll's list in place order straight from an index (#16 item 4):
/// each household keeps its building and `roll_order` — zone, building,
/// unit, floor, dwelling number and household code, whole numbers padded so
/// "2" sorts before "10" — computed by the view `household_places` and kept
/// by triggers on every write to households, dwellings, units and
/// buildings. Residents by household and 编号 (with `active`) and by
/// community and `active`, so a page and its count read indexes only.
const M023: &str = r#"
ALTER TABLE households ADD COLUMN building_id INTEGER REFERENCES buildings(id);
ALTER TABLE households ADD COLUMN roll_order TEXT NOT NULL DEFAULT '';

CREATE VIEW household_places AS
SELECT h.id AS id, u.building_id AS building_id,
    printf('%010d', h.zone_id) || char(1)
    || coalesce(
        CASE WHEN b.number <> '' AND b.number NOT GLOB '*[^0-9]*' AND length(b.number) <= 10
             THEN substr('0000000000' || b.number, -10) ELSE b.number END || char(1)
        || CASE WHEN u.number <> '' AND u.number NOT GLOB '*[^0-9]*' AND length(u.number) <= 10
             THEN substr('0000000000' || u.number, -10) ELSE u.number END || char(1)
        || printf('%010d', d.floor + 3000000000) || char(1)
        || CASE WHEN d.number <> '' AND d.number NOT GLOB '*[^0-9]*' AND length(d.number) <= 10
             THEN substr('0000000000' || d.number, -10) ELSE d.number END,
        '') || char(1)
    || CASE WHEN h.code <> '' AND h.code NOT GLOB '*[^0-9]*' AND length(h.code) <= 10
         THEN substr('0000000000' || h.code, -10) ELSE h.code END AS roll_order
FROM households h
LEFT JOIN dwellings d ON d.id = h.dwelling_id
LEFT JOIN units u ON u.id = d.unit_id
LEFT JOIN buildings b ON b.id = u.building_id;

UPDATE households SET (building_id, roll_order) =
    (SELECT p.building_id, p.roll_order FROM household_places p WHERE p.id = households.id);

CREATE TRIGGER households_place_new AFTER INSERT ON households BEGIN
    UPDATE households SET (building_id, roll_order) =
        (SELECT p.building_id, p.roll_order FROM household_places p WHERE p.id = NEW.id)
    WHERE id = NEW.id;
END;
CREATE TRIGGER households_place_moved AFTER UPDATE OF zone_id, dwelling_id, code ON households BEGIN
    UPDATE households SET (building_id, roll_order) =
        (SELECT p.building_id, p.roll_order FROM household_places p WHERE p.id = NEW.id)
    WHERE id = NEW.id;
END;
CREATE TRIGGER dwellings_place_changed AFTER UPDATE OF unit_id, number, floor ON dwellings
WHEN NEW.unit_id IS NOT OLD.unit_id OR NEW.number IS NOT OLD.number OR NEW.floor IS NOT OLD.floor BEGIN
    UPDATE households SET (building_id, roll_order) =
        (SELECT p.building_id, p.roll_order FROM household_places p WHERE p.id = households.id)
    WHERE dwelling_id = NEW.id;
END;
CREATE TRIGGER units_place_changed AFTER UPDATE OF building_id, number ON units
WHEN NEW.building_id IS NOT OLD.building_id OR NEW.number IS NOT OLD.number BEGIN
    UPDATE households SET (building_id, roll_order) =
        (SELECT p.building_id, p.roll_order FROM household_places p WHERE p.id = households.id)
    WHERE dwelling_id IN (SELECT id FROM dwellings WHERE unit_id = NEW.id);
END;
CREATE TRIGGER buildings_place_changed AFTER UPDATE OF number ON buildings
WHEN NEW.number IS NOT OLD.number BEGIN
    UPDATE households SET roll_order =
        (SELECT p.roll_order FROM household_places p WHERE p.id = households.id)
    WHERE building_id = NEW.id;
END;

CREATE INDEX households_dwelling ON households(dwelling_id);
CREATE INDEX households_roll ON households(community_id, roll_order);
CREATE INDEX households_zone_roll ON households(zone_id, roll_order);
CREATE INDEX households_building_roll ON households(building_id, roll_order);
DROP INDEX residents_household;
CREATE INDEX residents_by_household ON residents(household_id, key, active);
CREATE INDEX residents_active ON residents(community_id, active);
"#;

/// Tally sheets kept for a second committee member's check (#16 item 8):
/// never published, deleted once applied or discarded (store::votes::tally_sheet).
const M024: &str = r#"
CREATE TABLE tally_sheets (
    id INTEGER PRIMARY KEY,
    vote_id INTEGER NOT NULL REFERENCES votes(id),
    entered_by INTEGER NOT NULL REFERENCES accounts(id)
);
CREATE INDEX tally_sheets_vote ON tally_sheets(vote_id);
CREATE TABLE tally_sheet_rows (
    sheet_id INTEGER NOT NULL REFERENCES tally_sheets(id),
    row INTEGER NOT NULL,
    voter TEXT NOT NULL,
    choice TEXT NOT NULL,
    PRIMARY KEY (sheet_id, row)
) WITHOUT ROWID;
"#;

/// Indexes for pages that must not grow with the community (#18): the
/// disclosure board reads each revision's title and times from an index
/// instead of the table, whose rows hold the whole table of a disclosure
/// before them (SQLite walks the overflow pages to reach later columns);
/// the desks count disclosures by status.
const M025: &str = r#"
CREATE INDEX disclosure_revisions_list ON disclosure_revisions(disclosure_id, rev, published_at, created_at, title);
CREATE INDEX disclosures_by_status ON disclosures(community_id, status);
"#;

/// The advance notice of a vote (表决预告, issue 17): `notices.kind` gains
/// `vote_advance`. SQLite cannot change a CHECK in place, so the table is
/// rebuilt under its own name, its rows copied aside and back: the
/// deliveries, households and group posts that point at it keep their ids.
/// Foreign keys stay on, checked at commit (`defer_foreign_keys`): dropping
/// the table counts each row pointing at it, and copying the notice back
/// counts it off again.
const M026: &str = r#"
PRAGMA defer_foreign_keys = ON;
CREATE TABLE notices_m027 AS SELECT * FROM notices;
DROP TABLE notices;
CREATE TABLE notices (
    id INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    kind TEXT NOT NULL CHECK (kind IN ('vote_advance', 'vote_opened', 'vote_closing',
        'meeting_planned', 'minutes_published', 'disclosure_published', 'proposal_changed',
        'vote_result')),
    subject TEXT NOT NULL,
    -- the ledger entry it came from (NULL for a reminder or an advance notice)
    ledger_seq INTEGER,
    title_zh TEXT NOT NULL,
    title_en TEXT NOT NULL,
    body_zh TEXT NOT NULL,
    body_en TEXT NOT NULL,
    -- the page, relative to the site's address
    path TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    -- distinguishes repeated notices of one kind for one subject
    dedupe TEXT NOT NULL DEFAULT '',
    UNIQUE (community_id, kind, subject, dedupe)
);
INSERT INTO notices (id, community_id, kind, subject, ledger_seq, title_zh, title_en,
        body_zh, body_en, path, created_at, dedupe)
    SELECT id, community_id, kind, subject, ledger_seq, title_zh, title_en,
        body_zh, body_en, path, created_at, dedupe FROM notices_m027 ORDER BY id;
DROP TABLE notices_m027;
CREATE INDEX notices_subject ON notices(community_id, subject);
"#;

/// A subject's ledger entries (a vote's page, a proposal's) found by an
/// index instead of walking the community's whole chain and its payloads
/// (issue 18: 4.4 ms to 0.14 ms a vote page on the large community). The
/// table and its rows are unchanged.
const M027: &str = r#"
CREATE INDEX ledger_subject ON ledger(community_id, subject, seq);
"#;

pub fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(M001),
        M::up(M002),
        M::up(M003),
        M::up(M004),
        M::up(M005),
        M::up(M006),
        M::up(M007),
        M::up(M008),
        M::up(M009),
        M::up(M010),
        M::up(M011),
        M::up(M012),
        M::up(M013),
        M::up(M014),
        // M015: row documents in the ledger (`store::anchor`).
        super::anchor::migration(),
        M::up(M016),
        M::up(M017),
        M::up(M018),
        M::up(M019),
        M::up(M020),
        M::up(M021),
        M::up(M022),
        M::up(M023),
        M::up(M024),
        M::up(M025),
        M::up(M026),
        M::up(M027),
    ])
}

pub fn run(conn: &mut Connection) -> Result<(), rusqlite_migration::Error> {
    migrations().to_latest(conn)
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        assert!(super::migrations().validate().is_ok());
    }
}

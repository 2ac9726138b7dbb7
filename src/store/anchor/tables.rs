//! Every table whose rows are published, in one list: which rows count as
//! published, which columns may still change once they are (each change is
//! anchored by a new ledger entry), and what is anchored as a hash because it
//! must stay secret. The freezing triggers, the anchoring triggers and
//! `verify` are all made from this list, so a column added to one of these
//! tables is anchored and frozen without anyone remembering to.
//!
//! `{r}` in the SQL snippets stands for the row (`NEW`, `OLD` or an alias).
//!
//! Deliberately outside the ledger, each for a reason:
//! - accounts, sessions, login marks, activation codes, password resets,
//!   memberships: private, and every change is in the audit log;
//! - the roll (zones … residents): private personal data; votes freeze the
//!   part they use (their electorate) and anchor its hash;
//! - a vote's electorate and members, its ballots, a round's ballots: secret
//!   or personal row by row, so they are anchored as hashes in the vote's or
//!   round's own document (`extra`), and frozen by triggers once that hash
//!   is taken;
//! - vote proxies: the written authorization is private; a proxy's use is in
//!   the ballots (`by_proxy`), which are anchored;
//! - tally sheets waiting for a second committee member's check: their
//!   ballots are anchored as ballots once checked, and the sheet deleted;
//! - drafts (an unopened vote, an unpublished proposal, minutes or a
//!   disclosure revision being written): not public yet; they are anchored
//!   when they are published;
//! - communities, cadences, imports, the audit log: settings and working
//!   records, changed openly and logged.

use super::{Hashed, Table};

const VOTE_OPEN: &str = "(SELECT status FROM votes WHERE id = {r}.vote_id) != 'draft'";
const VOTE_COMMUNITY: &str = "(SELECT community_id FROM votes WHERE id = {r}.vote_id)";
const DISCLOSURE_COMMUNITY: &str =
    "(SELECT community_id FROM disclosures WHERE id = {r}.disclosure_id)";
const MEETING_COMMUNITY: &str =
    "(SELECT community_id FROM deliberations WHERE id = {r}.deliberation_id)";
const PROPOSAL_COMMUNITY: &str = "(SELECT community_id FROM proposals WHERE id = {r}.proposal_id)";
const PROPOSAL_PUBLISHED: &str =
    "(SELECT published_at IS NOT NULL FROM proposals WHERE id = {r}.proposal_id)";

/// An attachment is published with what it is attached to.
const ATTACHMENT_PUBLISHED: &str = "(CASE
    WHEN {r}.owner GLOB 'vote:*' THEN EXISTS (SELECT 1 FROM votes
        WHERE id = CAST(substr({r}.owner, 6) AS INTEGER) AND status != 'draft')
    WHEN {r}.owner GLOB 'proposal:*' THEN EXISTS (SELECT 1 FROM proposals
        WHERE id = CAST(substr({r}.owner, 10) AS INTEGER) AND published_at IS NOT NULL)
    WHEN {r}.owner GLOB 'proposal-report:*' THEN 1
    WHEN {r}.owner GLOB 'action:*' THEN 1
    WHEN {r}.owner GLOB 'disclosure:*:*' THEN EXISTS (SELECT 1 FROM disclosure_revisions
        WHERE disclosure_id = CAST(substr({r}.owner, 12) AS INTEGER)
          AND rev = CAST(substr({r}.owner, 12 + instr(substr({r}.owner, 12), ':')) AS INTEGER)
          AND published_at IS NOT NULL)
    ELSE 0 END)";

/// A vote's electorate and members (frozen when it opens) and its ballots
/// (frozen when it closes), one hash each.
const VOTE_HASHED: &[(&str, Hashed)] = &[
    (
        "electorate_sha256",
        Hashed::Rows("SELECT voter, pseudonym, label, dwellings, area_centi, household
         FROM vote_electorate WHERE vote_id = ?1 ORDER BY voter"),
    ),
    (
        "members_sha256",
        Hashed::Rows("SELECT resident_id, voter FROM vote_members WHERE vote_id = ?1 ORDER BY resident_id"),
    ),
    (
        "ballots_sha256",
        Hashed::Rows("SELECT voter, channel, choice, cast_by_resident, entered_by, cast_at, receipt, by_proxy
         FROM ballots WHERE vote_id = ?1
           AND (SELECT status FROM votes WHERE id = ?1) = 'closed'
         ORDER BY voter, channel"),
    ),
];

pub const TABLES: &[Table] = &[
    // Votes.
    Table {
        name: "votes",
        zh: "表决",
        en: "vote",
        key: &["id"],
        community: "{r}.community_id",
        subject: "'vote:' || {r}.id",
        published: "{r}.status != 'draft'",
        changing: &["status", "result", "closed_at", "final_at"],
        sealed: "0",
        secret: &["salt"],
        parent: None,
        hashed: VOTE_HASHED,
        kind: "vote.changed",
    },
    Table {
        name: "vote_elevator",
        zh: "加装电梯费用分摊表",
        en: "elevator cost table",
        key: &["vote_id"],
        community: VOTE_COMMUNITY,
        subject: "'vote:' || {r}.vote_id",
        published: VOTE_OPEN,
        changing: &[],
        sealed: "0",
        secret: &[],
        parent: Some(("votes", "vote_id")),
        hashed: &[],
        kind: "vote.elevator",
    },
    Table {
        name: "vote_affected",
        zh: "受影响业主的同意",
        en: "affected owner's consent",
        key: &["vote_id", "dwelling"],
        community: VOTE_COMMUNITY,
        subject: "'vote:' || {r}.vote_id",
        published: VOTE_OPEN,
        // Consent may be recorded (or withdrawn) after the vote too; each
        // change is a new entry.
        changing: &["consent", "note", "recorded_by", "recorded_at"],
        sealed: "0",
        secret: &[],
        parent: Some(("votes", "vote_id")),
        hashed: &[],
        kind: "vote.consent",
    },
    Table {
        name: "vote_objections",
        zh: "表决异议",
        en: "vote objection",
        key: &["id"],
        community: VOTE_COMMUNITY,
        subject: "'vote:' || {r}.vote_id",
        published: "1",
        changing: &["answer", "answered_by", "answered_at"],
        sealed: "{r}.answer IS NOT NULL",
        secret: &[],
        parent: None,
        hashed: &[],
        kind: "vote.objection",
    },
    // Disclosures.
    Table {
        name: "disclosures",
        zh: "公开事项",
        en: "disclosure",
        key: &["id"],
        community: "{r}.community_id",
        subject: "'disclosure:' || {r}.id",
        published: "({r}.status != 'draft' OR {r}.published_rev IS NOT NULL)",
        changing: &["status", "published_rev"],
        sealed: "0",
        secret: &[],
        parent: None,
        hashed: &[],
        kind: "disclosure.changed",
    },
    Table {
        name: "disclosure_revisions",
        zh: "公开内容的版本",
        en: "disclosure revision",
        key: &["disclosure_id", "rev"],
        community: DISCLOSURE_COMMUNITY,
        subject: "'disclosure:' || {r}.disclosure_id",
        published: "{r}.published_at IS NOT NULL",
        changing: &[],
        sealed: "0",
        secret: &[],
        parent: None,
        hashed: &[],
        kind: "disclosure.revision",
    },
    Table {
        name: "disclosure_signoffs",
        zh: "监督委员会签字",
        en: "supervisor's signature",
        key: &["disclosure_id", "rev", "account_id", "content_hash"],
        community: DISCLOSURE_COMMUNITY,
        subject: "'disclosure:' || {r}.disclosure_id",
        published: "1",
        changing: &[],
        sealed: "0",
        secret: &[],
        parent: None,
        hashed: &[],
        kind: "disclosure.signed",
    },
    Table {
        name: "disclosure_threads",
        zh: "质询或提问",
        en: "query or question",
        key: &["id"],
        community: DISCLOSURE_COMMUNITY,
        subject: "'disclosure:' || {r}.disclosure_id",
        published: "1",
        changing: &["answer", "answered_by", "answered_at"],
        sealed: "{r}.answer IS NOT NULL",
        secret: &[],
        parent: None,
        hashed: &[],
        kind: "disclosure.thread",
    },
    Table {
        name: "disclosure_verdicts",
        zh: "监督委员会对答复的意见",
        en: "supervisor's verdict on an answer",
        key: &["id"],
        community: DISCLOSURE_COMMUNITY,
        subject: "'disclosure:' || {r}.disclosure_id",
        published: "1",
        changing: &[],
        sealed: "0",
        secret: &[],
        parent: None,
        hashed: &[],
        kind: "disclosure.verdict",
    },
    // Deliberations (mobile teahouse meetings).
    Table {
        name: "deliberations",
        zh: "议事会",
        en: "meeting",
        key: &["id"],
        community: "{r}.community_id",
        subject: "'deliberation:' || {r}.id",
        published: "1",
        changing: &["status", "published_rev"],
        sealed: "0",
        secret: &["checkin_token"],
        parent: None,
        hashed: &[],
        kind: "meeting.changed",
    },
    Table {
        name: "agenda_items",
        zh: "议题",
        en: "agenda item",
        key: &["id"],
        community: MEETING_COMMUNITY,
        subject: "'deliberation:' || {r}.deliberation_id",
        published: "1",
        changing: &["state"],
        sealed: "{r}.state != 'suggested'",
        secret: &[],
        parent: None,
        hashed: &[],
        kind: "meeting.agenda",
    },
    Table {
        name: "attendance",
        zh: "签到",
        en: "attendance",
        key: &["deliberation_id", "resident_id"],
        community: MEETING_COMMUNITY,
        subject: "'deliberation:' || {r}.deliberation_id",
        published: "1",
        changing: &[],
        sealed: "0",
        secret: &[],
        parent: None,
        hashed: &[],
        kind: "meeting.attendance",
    },
    Table {
        name: "deliberation_guests",
        zh: "列席人员",
        en: "guest",
        key: &["id"],
        community: MEETING_COMMUNITY,
        subject: "'deliberation:' || {r}.deliberation_id",
        published: "1",
        changing: &[],
        sealed: "0",
        secret: &[],
        parent: None,
        hashed: &[],
        kind: "meeting.guest",
    },
    Table {
        name: "minutes_revisions",
        zh: "会议纪要的版本",
        en: "minutes revision",
        key: &["deliberation_id", "rev"],
        community: MEETING_COMMUNITY,
        subject: "'deliberation:' || {r}.deliberation_id",
        published: "{r}.published_at IS NOT NULL",
        changing: &[],
        sealed: "0",
        secret: &[],
        parent: None,
        hashed: &[],
        kind: "minutes.revision",
    },
    Table {
        name: "minutes_confirmations",
        zh: "纪要确认",
        en: "minutes confirmation",
        key: &["deliberation_id", "rev", "account_id"],
        community: MEETING_COMMUNITY,
        subject: "'deliberation:' || {r}.deliberation_id",
        published: "1",
        changing: &[],
        sealed: "0",
        secret: &[],
        parent: None,
        // The name shown as its author (accounts are outside the ledger).
        hashed: &[(
            "author_sha256",
            Hashed::Value("(SELECT display_name FROM accounts WHERE id = {r}.account_id)"),
        )],
        kind: "minutes.confirmed",
    },
    Table {
        name: "actions",
        zh: "后续行动",
        en: "follow-up action",
        key: &["id"],
        community: "{r}.community_id",
        subject: "'action:' || {r}.id",
        published: "1",
        changing: &["owner", "due", "status", "report", "closed_by", "closed_at"],
        sealed: "{r}.status = 'done'",
        secret: &[],
        parent: None,
        hashed: &[],
        kind: "action.changed",
    },
    // Proposals.
    Table {
        name: "proposals",
        zh: "提案",
        en: "proposal",
        key: &["id"],
        community: "{r}.community_id",
        subject: "'proposal:' || {r}.id",
        published: "{r}.published_at IS NOT NULL",
        changing: &[
            "status",
            "needed",
            "cosigns",
            "decision_reason",
            "deliberation_id",
            "vote_id",
            "assignee_kind",
            "assignee_name",
            "assignee_account",
            "report",
            "completed_at",
        ],
        sealed: "0",
        secret: &[],
        parent: None,
        // The name shown as its author (accounts are outside the ledger).
        hashed: &[(
            "author_sha256",
            Hashed::Value("(SELECT display_name FROM accounts WHERE id = {r}.author_id)"),
        )],
        kind: "proposal.changed",
    },
    Table {
        name: "proposal_cosigns",
        zh: "联署",
        en: "co-signature",
        key: &["proposal_id", "account_id"],
        community: PROPOSAL_COMMUNITY,
        subject: "'proposal:' || {r}.proposal_id",
        published: PROPOSAL_PUBLISHED,
        // Withdrawn, or given again after a withdrawal: each change is an entry.
        changing: &["withdrawn_at"],
        sealed: "0",
        secret: &[],
        parent: Some(("proposals", "proposal_id")),
        hashed: &[],
        kind: "proposal.cosigned",
    },
    Table {
        name: "proposal_comments",
        zh: "评论",
        en: "comment",
        key: &["id"],
        community: PROPOSAL_COMMUNITY,
        subject: "'proposal:' || {r}.proposal_id",
        published: PROPOSAL_PUBLISHED,
        changing: &[],
        sealed: "0",
        secret: &[],
        parent: Some(("proposals", "proposal_id")),
        // The name shown as its author (accounts are outside the ledger).
        hashed: &[(
            "author_sha256",
            Hashed::Value("(SELECT display_name FROM accounts WHERE id = {r}.account_id)"),
        )],
        kind: "proposal.commented",
    },
    Table {
        name: "proposal_events",
        zh: "办理进程",
        en: "proposal step",
        key: &["id"],
        community: PROPOSAL_COMMUNITY,
        subject: "'proposal:' || {r}.proposal_id",
        published: PROPOSAL_PUBLISHED,
        changing: &[],
        sealed: "0",
        secret: &[],
        parent: Some(("proposals", "proposal_id")),
        // The name shown as its author (accounts are outside the ledger).
        hashed: &[(
            "author_sha256",
            Hashed::Value("(SELECT display_name FROM accounts WHERE id = {r}.actor_id)"),
        )],
        kind: "proposal.step",
    },
    Table {
        name: "proposal_ratings",
        zh: "满意度评价",
        en: "rating",
        key: &["proposal_id", "account_id"],
        community: PROPOSAL_COMMUNITY,
        subject: "'proposal:' || {r}.proposal_id",
        published: PROPOSAL_PUBLISHED,
        changing: &[],
        sealed: "0",
        secret: &[],
        parent: Some(("proposals", "proposal_id")),
        hashed: &[],
        kind: "proposal.rated",
    },
    // Micro-venture rounds.
    Table {
        name: "rounds",
        zh: "微创投轮次",
        en: "round",
        key: &["id"],
        community: "{r}.community_id",
        subject: "'round:' || {r}.id",
        published: "{r}.imported != 2",
        changing: &["rule", "max_approvals", "phase", "result", "imported"],
        sealed: "({r}.phase = 'results' AND {r}.result IS NOT NULL)",
        secret: &[],
        parent: None,
        // Its ballots are anchored by the SHA-256 its stored result states
        // (computed off the writer when it is counted, so a million-ballot
        // import does not hash them inside its last transaction), which
        // `verify` checks against the ballots.
        hashed: &[],
        kind: "round.changed",
    },
    Table {
        name: "round_projects",
        zh: "项目",
        en: "project",
        key: &["id"],
        community: "(SELECT community_id FROM rounds WHERE id = {r}.round_id)",
        subject: "'round:' || {r}.round_id",
        published: "(SELECT imported != 2 FROM rounds WHERE id = {r}.round_id)",
        changing: &[
            "cost",
            "cost_reason",
            "review",
            "review_reason",
            "funded",
            "progress",
        ],
        sealed: "0",
        secret: &[],
        parent: Some(("rounds", "round_id")),
        // The name shown as its author (accounts are outside the ledger).
        hashed: &[(
            "author_sha256",
            Hashed::Value("(SELECT display_name FROM accounts WHERE id = {r}.submitted_by)"),
        )],
        kind: "round.project",
    },
    Table {
        name: "round_milestones",
        zh: "项目进度与支出",
        en: "milestone and spending",
        key: &["id"],
        community: "(SELECT r.community_id FROM round_projects p JOIN rounds r ON r.id = p.round_id
            WHERE p.id = {r}.project_id)",
        subject: "'round:' || (SELECT round_id FROM round_projects WHERE id = {r}.project_id)",
        published: "1",
        changing: &[],
        sealed: "0",
        secret: &[],
        parent: None,
        hashed: &[],
        kind: "round.milestone",
    },
    // Files attached to any of the above.
    Table {
        name: "attachments",
        zh: "附件",
        en: "attachment",
        key: &["id"],
        community: "{r}.community_id",
        subject: "{r}.owner",
        published: ATTACHMENT_PUBLISHED,
        changing: &[],
        sealed: "0",
        // The file itself is anchored by its `sha256` column, which a full
        // verification checks against the stored bytes.
        secret: &["data"],
        parent: None,
        hashed: &[],
        kind: "attachment.added",
    },
];

/// Tables anchored as one hash inside their parent's document: frozen once
/// that hash is taken (`(table, parent's condition)`).
pub const HASHED: &[(&str, &str)] = &[
    ("vote_electorate", VOTE_OPEN),
    ("vote_members", VOTE_OPEN),
    (
        "ballots",
        "(SELECT status FROM votes WHERE id = {r}.vote_id) = 'closed'",
    ),
    (
        "round_ballots",
        "(SELECT phase = 'results' AND imported != 2 FROM rounds WHERE id = {r}.round_id)",
    ),
    (
        "round_approvals",
        "(SELECT r.phase = 'results' AND r.imported != 2 FROM round_ballots b JOIN rounds r ON r.id = b.round_id
          WHERE b.id = {r}.ballot_id)",
    ),
];

/// Attachments are published when their owner is, but not tied to it by a
/// foreign key: they are queued when the owner is published (`(owner table,
/// how the attachment's owner is spelled)`).
pub const ATTACHMENT_OWNERS: &[(&str, &str)] = &[
    ("votes", "'vote:' || NEW.id"),
    ("proposals", "'proposal:' || NEW.id"),
    (
        "disclosure_revisions",
        "'disclosure:' || NEW.disclosure_id || ':' || NEW.rev",
    ),
];

/// Columns added to a published table after row documents began, which
/// documents written before them lack (`(table, column)`). A migration that
/// adds a column to a table above lists it here; every other column must be
/// in every document of its row.
pub const ADDED: &[(&str, &str)] = &[
    ("votes", "kind"),
    ("vote_elevator", "floors"),
    ("proposal_cosigns", "withdrawn_at"),
];

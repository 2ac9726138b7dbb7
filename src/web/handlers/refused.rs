//! Refused forms: a step whose checks may refuse what was typed, field by
//! field, inside the same write transaction that then acts on it.

use crate::error::Error;
use teahouse_views::forms::Errors;

/// What a checked step gives back: the `done` key, or the typed form's errors.
pub type Checked = Result<String, Errors>;

/// The step for a form (and, refusing nothing, [`super::apply_step`]): inside one write transaction, load the
/// record, let `f` check the input against it and act. `f` answers
/// `Ok(Err(errors))` to refuse, before it writes anything: then nothing is
/// written, not even the audit row. On `Ok(Ok((done, detail)))` the audit row
/// is written as in every step.
pub async fn form_step<T, L, F>(
    st: &crate::web::AppState,
    actor: crate::store::audit::Actor,
    community_id: i64,
    subject: crate::domain::Subject,
    action: &'static str,
    load: L,
    f: F,
) -> Result<Checked, Error>
where
    L: FnOnce(&rusqlite::Connection, i64, i64) -> Result<T, Error> + Send + 'static,
    F: FnOnce(&rusqlite::Transaction, &T) -> Result<Result<(String, String), Errors>, Error>
        + Send
        + 'static,
    T: 'static,
{
    st.db
        .write(move |tx| {
            let record = load(tx, community_id, subject.id())?;
            let (done, detail) = match f(tx, &record)? {
                Ok(d) => d,
                Err(errors) => return Ok(Err(errors)),
            };
            crate::store::audit::record(
                tx,
                &actor,
                Some(community_id),
                action,
                &subject.to_string(),
                &detail,
            )?;
            Ok(Ok(done))
        })
        .await
}

/// The errors so far, or nothing: `Err` when there is something to refuse.
pub fn refuse_if(errors: Errors) -> Result<(), Errors> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Keeps a parsed value, or notes its error beside the field `name`.
pub fn field<T>(
    errors: &mut Errors,
    name: &str,
    parsed: Result<T, crate::domain::Msg>,
) -> Option<T> {
    match parsed {
        Ok(v) => Some(v),
        Err(m) => {
            errors.add(name, m);
            None
        }
    }
}

/// Required text, trimmed, of at most `max` characters; its error beside `name`.
pub fn required(errors: &mut Errors, name: &str, text: &str, max: usize) -> String {
    let t = text.trim();
    if t.is_empty() || t.chars().count() > max {
        errors.add(
            name,
            crate::domain::Msg::new(
                format!("请填写（最多 {max} 字）"),
                format!("please fill this in ({max} characters at most)"),
            ),
        );
    }
    t.to_string()
}

/// The files a form with a file field sends: those kept from its refused
/// last try (ticked `keep_<id>` boxes) and this request's, each checked.
pub struct Files {
    pub kept: Vec<i64>,
    pub new: Vec<crate::domain::upload::Upload>,
}

/// Reads the files of `field`; a file that cannot be taken (its type, its
/// size) is noted beside `field` and left out.
pub fn files(
    errors: &mut Errors,
    posted: &crate::web::handlers::files::Posted,
    field: &str,
) -> Files {
    use crate::domain::upload::{MAX_FILES, Upload};
    let mut kept: Vec<i64> = posted
        .fields
        .iter()
        .filter(|(_, v)| !v.is_empty() && v.as_str() != "0")
        .filter_map(|(k, _)| k.strip_prefix("keep_")?.parse().ok())
        .collect();
    kept.sort_unstable();
    kept.truncate(MAX_FILES);
    let mut new = Vec::new();
    for f in posted.files.iter().filter(|f| f.field == field) {
        match Upload::parse(&f.name, f.bytes.clone()) {
            Ok(u) => new.push(u),
            Err(m) => errors.add(field, m),
        }
    }
    // More than a record takes is said here, beside the field, not found
    // later inside the write (where the form could not say it).
    if kept.len() + new.len() > MAX_FILES {
        errors.add(
            field,
            crate::domain::Msg::new(
                format!(
                    "最多 {MAX_FILES} 个文件：保留了 {} 个，又选了 {} 个",
                    kept.len(),
                    new.len()
                ),
                format!(
                    "{MAX_FILES} files at most: {} kept and {} more chosen",
                    kept.len(),
                    new.len()
                ),
            ),
        );
    }
    Files { kept, new }
}

/// A refused form's files kept for `account` until it is sent again (one
/// short write; nothing of them is public): (id, name), in order.
pub async fn keep(
    st: &crate::web::AppState,
    community_id: i64,
    account: i64,
    files: Files,
) -> Result<Vec<(i64, String)>, Error> {
    let kept = st
        .db
        .write(move |tx| {
            crate::store::attachments::stage(tx, community_id, account, &files.kept, &files.new)
        })
        .await?;
    Ok(kept.into_iter().map(|a| (a.id, a.name)).collect())
}

#[cfg(test)]
mod tests {
    use super::files;
    use crate::domain::upload::MAX_FILES;
    use crate::web::handlers::files::{Posted, RawFile};
    use teahouse_views::forms::Errors;

    fn posted(kept: usize, new: usize) -> Posted {
        Posted {
            fields: (1..=kept)
                .map(|i| (format!("keep_{i}"), "1".into()))
                .collect(),
            files: (0..new)
                .map(|i| RawFile {
                    field: "file".into(),
                    name: format!("{i}.png"),
                    bytes: b"\x89PNG\r\n\x1a\nphoto".to_vec(),
                })
                .collect(),
        }
    }

    #[test]
    fn more_files_than_a_record_takes_are_refused_beside_the_field() {
        let mut errors = Errors::none();
        let f = files(&mut errors, &posted(MAX_FILES - 5, 5), "file");
        assert!(errors.is_empty() && f.kept.len() + f.new.len() == MAX_FILES);
        let mut errors = Errors::none();
        files(&mut errors, &posted(MAX_FILES - 5, 6), "file");
        let m = errors.get("file").expect("refused beside the file field");
        assert!(m.zh.contains("保留了 15 个，又选了 6 个"), "{}", m.zh);
    }
}

//! How listings read: newest first, through the `*_by_webhook` side tables and the
//! rows past their mark.

use rusqlite::ToSql;

/// A webhook's deliveries by status: those past the mark by their own column, the rest
/// through the side table (as `listing` finds them).
pub(super) const COUNT_BY_WEBHOOK: &str = "SELECT status, count(*) FROM (
        SELECT d.status FROM deliveries d
         WHERE d.seq > (SELECT seq FROM by_webhook_marks WHERE name = 'deliveries')
           AND d.webhook_id = ?1
        UNION ALL
        SELECT d.status FROM deliveries_by_webhook x CROSS JOIN deliveries d
         WHERE x.webhook_id = ?1
           AND x.seq <= (SELECT seq FROM by_webhook_marks WHERE name = 'deliveries')
           AND d.seq = x.seq
     ) GROUP BY status";
/// A table as `listing` reads it: its name (`{name}_by_webhook` is its side table), the
/// columns a row is read from, and the table (as `alias`) with what it joins.
pub(super) struct Listed {
    pub(super) name: &'static str,
    pub(super) columns: &'static str,
    pub(super) from: &'static str,
    pub(super) alias: &'static str,
}

/// A delivery's row with its body, for `delivery_rows`.
pub(super) const DELIVERIES: Listed = Listed {
    name: "deliveries",
    columns: "d.json, b.text",
    from: "deliveries d LEFT JOIN bodies b ON b.hash = d.body_hash",
    alias: "d",
};
/// An attempt's row, for `json_rows`.
pub(super) const ATTEMPTS: Listed = Listed {
    name: "attempts",
    columns: "a.json",
    from: "attempts a",
    alias: "a",
};
/// `SELECT columns FROM table [WHERE a = ?1 AND ...] ORDER BY seq DESC LIMIT ?n`, with a
/// term per filter that is set (each combination is its own cached statement), rather
/// than `(?1 IS NULL OR a = ?1)`, which no index can serve.
///
/// By webhook (unless also by delivery, whose index finds fewer rows), two ranges of seqs
/// merged newest first: the rows `{table}_by_webhook` holds, found through it, and those
/// past its mark, which it does not hold yet (`INDEX_BY_WEBHOOK`), scanned.
pub(super) fn listing<'a>(
    t: &Listed,
    filters: &[(&str, Option<&'a dyn ToSql>)],
    limit: &'a dyn ToSql,
) -> (String, Vec<&'a dyn ToSql>) {
    let Listed {
        name,
        columns,
        from,
        alias: p,
    } = t;
    let mut args = Vec::new();
    let mut terms = Vec::new();
    let mut webhook = None;
    let mut by_delivery = false;
    for (column, value) in filters {
        if let Some(v) = value {
            args.push(*v);
            let term = format!("{p}.{column} = ?{}", args.len());
            match *column {
                "webhook_id" => webhook = Some((term, args.len())),
                "delivery_id" => {
                    by_delivery = true;
                    terms.push(term);
                }
                _ => terms.push(term),
            }
        }
    }
    args.push(limit);
    let n = args.len();
    let clause = |terms: Vec<String>| {
        if terms.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", terms.join(" AND "))
        }
    };
    let sql = match webhook {
        Some((term, i)) if !by_delivery => {
            let mark = format!("(SELECT seq FROM by_webhook_marks WHERE name = '{name}')");
            let newer = [format!("{p}.seq > {mark}"), term]
                .into_iter()
                .chain(terms.iter().cloned());
            let older = [
                format!("x.webhook_id = ?{i}"),
                format!("x.seq <= {mark}"),
                format!("{p}.seq = x.seq"),
            ]
            .into_iter()
            .chain(terms.iter().cloned());
            format!(
                "SELECT {columns}, {p}.seq AS seq FROM {from}{} \
                 UNION ALL \
                 SELECT {columns}, x.seq AS seq FROM {name}_by_webhook x CROSS JOIN {from}{} \
                 ORDER BY seq DESC LIMIT ?{n}",
                clause(newer.collect()),
                clause(older.collect())
            )
        }
        webhook => {
            terms.extend(webhook.map(|(term, _)| term));
            format!(
                "SELECT {columns} FROM {from}{} ORDER BY {p}.seq DESC LIMIT ?{n}",
                clause(terms)
            )
        }
    };
    (sql, args)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::fixtures::{attempt, delivery};
    use crate::store::sqlite::tests::{count, ids};
    use crate::store::sqlite::SqliteStore;
    use crate::store::{DeliveryStatus, Outcome, Query, Store};

    #[test]
    fn listings_use_the_indexes() {
        let s = SqliteStore::memory().unwrap();
        let value = "x".to_string();
        let limit = 10u32;
        let x = Some(&value as &dyn ToSql);
        // `x` is the side table (`deliveries_by_webhook`, `attempts_by_webhook`).
        let side = "SEARCH x USING PRIMARY KEY (webhook_id=? AND seq<?)";
        for (table, filters, uses) in [
            (&DELIVERIES, vec![("webhook_id", x)], side),
            (&DELIVERIES, vec![("webhook_id", x), ("status", x)], side),
            (&DELIVERIES, vec![("status", x)], "deliveries_status"),
            (&ATTEMPTS, vec![("webhook_id", x)], side),
            (&ATTEMPTS, vec![("delivery_id", x)], "attempts_delivery"),
            (
                &ATTEMPTS,
                vec![("webhook_id", x), ("delivery_id", x)],
                "attempts_delivery",
            ),
        ] {
            let (sql, args) = listing(table, &filters, &limit);
            let conn = s.conn();
            let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            let plan = stmt
                .query_map(&args[..], |r| r.get::<_, String>(3))
                .unwrap()
                .collect::<Result<Vec<_>, _>>()
                .unwrap()
                .join("; ");
            assert!(plan.contains(uses), "{sql}: {plan}");
            assert!(!plan.contains("TEMP B-TREE"), "{sql} sorts: {plan}");
            // The rows past the mark: a range of the table, not all of it.
            if uses == side {
                assert!(plan.contains("rowid>?"), "{sql}: {plan}");
            }
        }
    }

    #[test]
    fn listings_by_webhook_find_the_rows_on_both_sides_of_the_mark() {
        let s = SqliteStore::memory().unwrap();
        let by = |webhook: &str| Query {
            webhook_id: Some(webhook.into()),
            ..Query::default()
        };
        let mut all = Vec::new();
        let mut sides = (false, false);
        for i in 0..8 {
            let mut d = delivery(&format!("msg_{i}"), DeliveryStatus::Success);
            d.webhook_id = format!("wh_{}", i % 2);
            d.updated_at = i;
            s.put_delivery(&d).unwrap();
            let mut a = attempt(i as usize, &d.id, Outcome::Success, i);
            a.webhook_id.clone_from(&d.webhook_id);
            s.add_attempt(&a).unwrap();
            all.push(d);
            // Every third row written moves the mark (`memory()`): some rows are past it.
            let (indexed, rows): (i64, i64) = s
                .conn()
                .query_row(
                    "SELECT (SELECT count(*) FROM deliveries_by_webhook),
                            (SELECT count(*) FROM deliveries)",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .unwrap();
            assert!(indexed <= rows);
            sides.0 |= indexed > 0 && indexed < rows;
            sides.1 |= indexed == rows;
            let want: Vec<String> = all
                .iter()
                .rev()
                .filter(|d| d.webhook_id == "wh_0")
                .map(|d| d.id.clone())
                .collect();
            assert_eq!(ids(s.deliveries(&by("wh_0")).unwrap()), want, "after {i}");
            let attempts: Vec<String> = s
                .attempts(&by("wh_0"))
                .unwrap()
                .into_iter()
                .map(|a| a.delivery_id)
                .collect();
            assert_eq!(attempts, want, "after {i}");
        }
        assert_eq!(
            sides,
            (true, true),
            "listed with and without rows past the mark"
        );
        let indexed = |table: &str| count(&s, &format!("SELECT count(*) FROM {table}_by_webhook"));
        // Pruned rows leave their side tables.
        assert_eq!(s.prune(4).unwrap(), 8);
        assert_eq!(ids(s.deliveries(&by("wh_1")).unwrap()), ["msg_7", "msg_5"]);
        assert_eq!(
            indexed("deliveries") + indexed("attempts"),
            count(
                &s,
                "SELECT count(*) FROM deliveries WHERE seq <= (SELECT seq FROM by_webhook_marks
                 WHERE name = 'deliveries')"
            ) + count(
                &s,
                "SELECT count(*) FROM attempts WHERE seq <= (SELECT seq FROM by_webhook_marks
                 WHERE name = 'attempts')"
            )
        );
    }
}

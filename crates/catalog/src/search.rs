//! Listing search: an n-gram inverted index kept in an ordinary table, the same on SQLite
//! and PostgreSQL.
//!
//! Korean is written without spaces between many compounds (유기농두부, 친환경세제), and a
//! two-syllable word such as 두부 or 세제 is too short for trigram indexes (SQLite FTS5's
//! trigram tokenizer, pg_trgm) to find. So, as Lucene's CJK analyzer does, Hangul runs are
//! indexed as syllable bigrams (and single syllables, for one-syllable words such as 쌀 or
//! 빵): a query's bigrams must all occur in a listing. Latin words and numbers are indexed by
//! their prefixes, so `sham` finds shampoo. Each term keeps the weight of the most important
//! field it occurs in (title 4, category 2, description 1); a listing's relevance is the sum
//! over the query's terms.
//!
//! How it scales: a query reads only the index entries of its own terms through the
//! (term, listing_id) primary key, never every listing; the index holds a few hundred terms
//! per listing. That is comfortable to some hundred thousand listings on either engine; past
//! that, or for typo tolerance, a dedicated engine (tantivy, OpenSearch with the nori
//! analyzer) would replace this module behind the same `search_listings` function.

use std::collections::BTreeMap;

pub const TITLE_WEIGHT: i32 = 4;
pub const CATEGORY_WEIGHT: i32 = 2;
pub const DESCRIPTION_WEIGHT: i32 = 1;
const MAX_PREFIX_CHARS: usize = 20;
/// Terms beyond this many in a query are ignored: a paragraph pasted into the search box
/// should not become a hundred-way join.
pub const MAX_QUERY_TERMS: usize = 16;

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0xAC00..=0xD7A3 // Hangul syllables
        | 0x1100..=0x11FF | 0x3130..=0x318F // Hangul jamo
        | 0x4E00..=0x9FFF | 0x3400..=0x4DBF // CJK ideographs
        | 0x3040..=0x30FF) // kana
}

/// Splits text into runs of CJK characters and runs of other letters and digits,
/// lower-cased; everything else separates.
fn runs(text: &str) -> Vec<(bool, Vec<char>)> {
    let mut runs: Vec<(bool, Vec<char>)> = Vec::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if !c.is_alphanumeric() {
            if runs.last().is_some_and(|(_, r)| !r.is_empty()) {
                runs.push((false, Vec::new()));
            }
            continue;
        }
        let cjk = is_cjk(c);
        match runs.last_mut() {
            Some((kind, run)) if run.is_empty() || *kind == cjk => {
                *kind = cjk;
                run.push(c);
            }
            _ => runs.push((cjk, vec![c])),
        }
    }
    runs.retain(|(_, r)| !r.is_empty());
    runs
}

/// The index entries of a listing's text: each term with the weight of the best field it
/// occurs in.
pub fn index_terms(title: &str, category: &str, description: &str) -> Vec<(String, i32)> {
    let mut terms: BTreeMap<String, i32> = BTreeMap::new();
    for (text, weight) in [
        (title, TITLE_WEIGHT),
        (category, CATEGORY_WEIGHT),
        (description, DESCRIPTION_WEIGHT),
    ] {
        for (cjk, run) in runs(text) {
            let mut add = |term: String| {
                let w = terms.entry(term).or_insert(weight);
                *w = (*w).max(weight);
            };
            if cjk {
                for c in &run {
                    add(c.to_string());
                }
                for pair in run.windows(2) {
                    add(pair.iter().collect());
                }
            } else {
                for end in 1..=run.len().min(MAX_PREFIX_CHARS) {
                    add(run[..end].iter().collect());
                }
            }
        }
    }
    terms.into_iter().collect()
}

/// The terms a listing must all hold to match `q`.
pub fn query_terms(q: &str) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    for (cjk, run) in runs(q) {
        let new: Vec<String> = if cjk && run.len() > 1 {
            run.windows(2).map(|p| p.iter().collect()).collect()
        } else if cjk {
            vec![run.iter().collect()]
        } else {
            vec![run.iter().take(MAX_PREFIX_CHARS).collect()]
        };
        for t in new {
            if !terms.contains(&t) {
                terms.push(t);
            }
        }
    }
    terms.truncate(MAX_QUERY_TERMS);
    terms
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(q: &str, title: &str, category: &str, description: &str) -> bool {
        let index: Vec<String> = index_terms(title, category, description)
            .into_iter()
            .map(|(t, _)| t)
            .collect();
        let terms = query_terms(q);
        !terms.is_empty() && terms.iter().all(|t| index.contains(t))
    }

    #[test]
    fn two_syllable_korean_words_are_found_inside_compounds() {
        assert!(matches("두부", "국산콩 손두부", "", ""));
        assert!(matches("두부", "유기농두부", "", ""));
        assert!(matches("세제", "", "", "친환경 주방세제를 리필해 가세요"));
        assert!(matches("샴푸", "제로웨이스트 샴푸바", "", ""));
        assert!(matches("주방세제", "", "", "친환경 주방세제"));
        assert!(!matches("두부", "두유", "", ""));
        assert!(!matches("세제", "세탁 제품", "", ""));
    }

    #[test]
    fn one_syllable_words_and_mixed_scripts() {
        assert!(matches("쌀", "유기농 쌀 10kg", "", ""));
        assert!(matches("샴푸bar", "샴푸BAR", "", ""));
        assert!(matches("10kg", "유기농 쌀 10kg", "", ""));
    }

    #[test]
    fn english_words_match_by_prefix_whatever_their_case() {
        assert!(matches("shampoo", "Solid Shampoo Bar", "", ""));
        assert!(matches("sham", "Solid Shampoo Bar", "", ""));
        assert!(matches("TOFU", "", "tofu & soy", ""));
        assert!(!matches("poo", "Solid Shampoo Bar", "", ""));
        assert!(matches("solid bar", "Solid Shampoo Bar", "", ""));
        assert!(!matches("solid soap", "Solid Shampoo Bar", "", ""));
    }

    #[test]
    fn a_term_keeps_its_best_field_weight() {
        let terms: BTreeMap<_, _> = index_terms("두부", "콩", "두부 두부").into_iter().collect();
        assert_eq!(terms["두부"], TITLE_WEIGHT);
        assert_eq!(terms["콩"], CATEGORY_WEIGHT);
    }

    #[test]
    fn punctuation_only_queries_have_no_terms() {
        assert!(query_terms("  !!  ").is_empty());
        assert_eq!(query_terms("두부 두부"), ["두부"]);
        assert_eq!(query_terms(&"word ".repeat(40)).len(), 1);
    }
}

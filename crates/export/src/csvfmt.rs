//! The CSV conventions shared by every export: BOM, CRLF, exact decimals, empty cells, and
//! formula-injection neutralisation of meter text.

use std::borrow::Cow;

use echonet::Decimal;

/// UTF-8 byte-order mark, first in every CSV (Excel needs it to read UTF-8).
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Neutralise a text cell against spreadsheet formula injection (CSV injection).
///
/// A cell that starts with `=`, `+`, `-`, `@`, tab or CR (or their full-width forms `＝ ＋ －
/// ＠`, which Japanese IMEs produce) gets a leading `'`, so spreadsheets show it as text
/// instead of evaluating it. Apply this to text that came from the meter or the dongle (serial
/// number, maker name …), never to numbers this crate formats itself (negative power `-524`
/// must stay a number).
pub fn neutralise(s: &str) -> Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '＝' | '＋' | '－' | '＠') => {
            Cow::Owned(format!("'{s}"))
        }
        _ => Cow::Borrowed(s),
    }
}

/// A CSV writer into memory with the BOM already written and CRLF line ends.
pub(crate) struct Out {
    w: csv::Writer<Vec<u8>>,
}

impl Out {
    pub(crate) fn new(capacity: usize) -> Out {
        let mut buf = Vec::with_capacity(capacity);
        buf.extend_from_slice(BOM);
        Out {
            w: csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .flexible(true)
                .from_writer(buf),
        }
    }

    /// Write one row. Writing to memory cannot fail for I/O reasons; any error is ignored.
    pub(crate) fn row<I, T>(&mut self, cells: I)
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        let _ = self.w.write_record(cells);
    }

    pub(crate) fn finish(self) -> Vec<u8> {
        match self.w.into_inner() {
            Ok(v) => v,
            Err(e) => e.into_inner().into_inner().unwrap_or_default(),
        }
    }
}

/// An exact decimal as text, re-validated: a stored string that is not a decimal gives an
/// empty cell (so nothing but numbers reaches a numeric column).
pub(crate) fn decimal_cell(s: Option<&str>) -> String {
    s.and_then(|s| s.parse::<Decimal>().ok())
        .map(|d| d.to_string())
        .unwrap_or_default()
}

/// An optional number as text; empty for `None`.
pub(crate) fn num<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn neutralises_formula_starts_only() {
        for s in [
            "=1+1",
            "+81",
            "-2",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "＝HYPERLINK()",
            "－1",
        ] {
            assert!(neutralise(s).starts_with('\''), "{s}");
        }
        for s in ["F24G366505", "", "1=1", "東芝", "'x"] {
            assert_eq!(neutralise(s), s);
        }
        assert_eq!(decimal_cell(Some("7531.30")), "7531.3");
        assert_eq!(decimal_cell(Some("=cmd")), "");
        assert_eq!(decimal_cell(None), "");
    }
}

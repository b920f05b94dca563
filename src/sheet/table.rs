//! A sheet's cells, whatever the file: an Excel workbook (`.xlsx`, its first
//! sheet, read by `calamine`), or delimited text as French spreadsheets save
//! it — `;` or `,` (or tab), in UTF-8 (with or without a byte-order mark)
//! or Windows-1252.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

/// Rows of trimmed cells; rows with no cell filled are dropped, but each
/// kept row remembers its number as the spreadsheet shows it (1 = first).
pub struct Table {
    pub rows: Vec<(usize, Vec<String>)>,
}

/// Largest workbook once uncompressed, and most rows and columns of a
/// sheet.
const MAX_UNZIPPED: u64 = 64 << 20;
const MAX_ROWS: usize = 100_000;
pub const MAX_COLUMNS: usize = 200;

/// Reads `bytes` as a workbook when it is one (a zip archive), else as text.
pub fn read(bytes: &[u8]) -> Result<Table, String> {
    let rows = if bytes.starts_with(b"PK\x03\x04") {
        workbook(bytes)?
    } else {
        delimited(&decode(bytes))?
    };
    Ok(Table {
        rows: rows
            .into_iter()
            .map(|(n, r)| (n, r.into_iter().map(|c| c.trim().to_string()).collect()))
            .filter(|(_, r): &(usize, Vec<String>)| r.iter().any(|c| !c.is_empty()))
            .collect(),
    })
}

/// UTF-8 when the bytes are UTF-8 (a byte-order mark is dropped), else
/// Windows-1252, what Excel on Windows saves as "CSV".
fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned(),
    }
}

/// The delimiter of the header line: the most frequent of `;`, `,` and tab
/// outside quotes (`;` on a tie, as French spreadsheets write).
fn delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or("");
    let (mut quoted, mut counts) = (false, [0usize; 3]);
    for c in header.chars() {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => counts[0] += 1,
            ',' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3)
        .max_by_key(|&i| (counts[i], usize::from(i == 0)))
        .unwrap_or(0);
    [b';', b',', b'\t'][best]
}

/// Rows with the number the spreadsheet shows (blank lines count).
type Numbered = Vec<(usize, Vec<String>)>;

fn delimited(text: &str) -> Result<Numbered, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter(text))
        .from_reader(text.as_bytes());
    // Each record's line, counted from its first byte (blank lines and
    // quoted new lines count, whatever the line endings).
    let bytes = text.as_bytes();
    let (mut at, mut line) = (0usize, 1usize);
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| e.to_string())?;
        let mut start = record
            .position()
            .map_or(at, |p| p.byte() as usize)
            .clamp(at, bytes.len());
        while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        line += bytes[at..start].iter().filter(|&&c| c == b'\n').count();
        at = start;
        rows.push((line, record.iter().map(String::from).collect()));
    }
    Ok(rows)
}

/// The first sheet of a workbook, each cell as the coordinator typed it:
/// whole numbers without `.0`, dates as `30/11/2026`, times as `09:30`.
/// Cells are read one by one, so that a far-away cell (`XFD1048576`) is
/// refused before any grid is sized by it.
fn workbook(bytes: &[u8]) -> Result<Numbered, String> {
    // A few kilobytes of zip can unpack to gigabytes: the archive's own
    // sizes are checked before anything is unpacked.
    // (The central directory's sizes, which a streamed archive also has.)
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let mut unzipped: u64 = 0;
    for i in 0..archive.len() {
        let size = archive.by_index_raw(i).map_err(|e| e.to_string())?.size();
        unzipped = unzipped.saturating_add(size);
    }
    if unzipped > MAX_UNZIPPED {
        return Err(format!(
            "more than {} MB once uncompressed",
            MAX_UNZIPPED >> 20
        ));
    }
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let first = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or("the workbook has no sheet")?;
    let mut cells = book
        .worksheet_cells_reader(&first)
        .map_err(|e| e.to_string())?;
    let mut rows: Vec<(usize, Vec<String>)> = Vec::new();
    while let Some(c) = cells.next_cell().map_err(|e| e.to_string())? {
        let (r, col) = c.get_position();
        let (r, col) = (r as usize, col as usize);
        if r >= MAX_ROWS || col >= MAX_COLUMNS {
            return Err(format!(
                "a cell beyond row {MAX_ROWS} or column {MAX_COLUMNS}"
            ));
        }
        let text = cell(&Data::from(c.get_value().clone()));
        if text.is_empty() {
            continue;
        }
        // A sheet's cells come row by row: the last row first.
        let at = match rows.iter().rposition(|(n, _)| *n == r + 1) {
            Some(i) => i,
            None => {
                rows.push((r + 1, Vec::new()));
                rows.len() - 1
            }
        };
        let row = &mut rows[at].1;
        if row.len() <= col {
            row.resize(col + 1, String::new());
        }
        row[col] = text;
    }
    rows.sort_by_key(|(n, _)| *n);
    Ok(rows)
}

fn cell(c: &Data) -> String {
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{}", *x as i64),
        Data::Float(x) => x.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => excel_date(d.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// An Excel serial date (days since 1899-12-30) as `30/11/2026`, with
/// `HH:MM` when it has a time of day (a bare time reads as `HH:MM`).
fn excel_date(serial: f64) -> String {
    // Beyond 31/12/9999 (or not a number), Excel shows ####: so do we.
    if !(0.0..2_958_466.0).contains(&serial) {
        return "####".into();
    }
    let days = serial.floor();
    let minutes = ((serial - days) * 1440.0).round() as i64;
    let time = format!("{:02}:{:02}", minutes / 60 % 24, minutes % 60);
    if days < 1.0 {
        return time;
    }
    let base = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default();
    let date = base + chrono::Duration::days(days as i64);
    if minutes == 0 {
        date.format("%d/%m/%Y").to_string()
    } else {
        format!("{} {time}", date.format("%d/%m/%Y"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_numbered_as_the_spreadsheet_shows_them() {
        for text in [
            "a;b\n1;2\n\n3;4\n",
            "a;b\r\n1;2\r\n\r\n3;4\r\n",
            "a;b\n\"x\ny\";2\n3;4",
        ] {
            let t = read(text.as_bytes()).expect("read");
            let numbers: Vec<usize> = t.rows.iter().map(|(n, _)| *n).collect();
            // The quoted cell spans lines 2 and 3: the next row is line 4.
            assert_eq!(numbers, vec![1, 2, 4], "{text:?}");
        }
    }

    #[test]
    fn the_delimiter_is_the_headers_own() {
        assert_eq!(delimiter("a;b;c\n1,5;2;3"), b';');
        assert_eq!(delimiter("a,b,c\n"), b',');
        assert_eq!(delimiter("a\tb\n"), b'\t');
        assert_eq!(delimiter("\"a;b\",c\n"), b',');
    }

    #[test]
    fn windows_1252_is_read_when_the_bytes_are_not_utf8() {
        // "Unité centrale;Écran" as Excel saves it on Windows.
        let bytes = b"Unit\xe9 centrale;\xc9cran\n";
        let t = read(bytes).expect("read");
        assert_eq!(t.rows[0].1, vec!["Unité centrale", "Écran"]);
        let bom = read("\u{feff}nom;adresse\n".as_bytes()).expect("read");
        assert_eq!(bom.rows[0].1[0], "nom");
    }

    #[test]
    fn excel_dates_read_as_a_coordinator_writes_them() {
        // 46356 is 30 November 2026.
        assert_eq!(excel_date(46356.0), "30/11/2026");
        assert_eq!(excel_date(46356.375), "30/11/2026 09:00");
        assert_eq!(excel_date(0.5625), "13:30");
    }
}

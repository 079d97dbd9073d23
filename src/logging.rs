//! The log's format: what a request sends (a login name, a cause quoting input) can hold CR, LF
//! or terminal escapes, and written as it is it would forge log lines. Every field of every event
//! and span goes through [`escaped`], so one line of the log is always one event.

use std::fmt::{self, Write as _};

use tracing::field::Field;
use tracing_subscriber::field::MakeExt;
use tracing_subscriber::fmt::format::{self, Writer};
use tracing_subscriber::fmt::FormatFields;

/// `text` with its control characters written as escapes (`\n`, `\r`, `\u{1b}`), and the rest
/// as it is.
pub fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Fields as the default text format writes them (`message` bare, the others `name=value`,
/// separated by spaces), with every value escaped.
pub fn text_fields() -> impl for<'writer> FormatFields<'writer> + Send + Sync + 'static {
    format::debug_fn(
        |writer: &mut Writer<'_>, field: &Field, value: &dyn fmt::Debug| {
            let mut rendered = String::new();
            write!(rendered, "{value:?}")?;
            if field.name() == "message" {
                writer.write_str(&escaped(&rendered))
            } else {
                write!(writer, "{}={}", field.name(), escaped(&rendered))
            }
        },
    )
    .delimited(" ")
}

#[cfg(test)]
mod tests {
    use super::escaped;

    #[test]
    fn control_characters_become_escapes() {
        assert_eq!(escaped("a\nb\r\u{1b}[31m"), "a\\nb\\r\\u{1b}[31m");
        assert_eq!(escaped("Gent – Zone"), "Gent – Zone");
    }
}

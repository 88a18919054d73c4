//! Just enough Rust lexing to read call sites: comments, and the contents of
//! string and character literals, are blanked with spaces so that offsets
//! stay the same and a pattern never matches inside them.

/// A source file, blanked two ways.
pub struct Blanked {
    /// Comments blanked; literals kept (to read an operation's name).
    pub without_comments: String,
    /// Comments and the contents of literals blanked (to find code).
    pub code_only: String,
}

fn is_ident(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// Blanks `src`: newlines are kept, every other blanked byte becomes a space.
pub fn blank(src: &str) -> Blanked {
    let bytes = src.as_bytes();
    let mut without_comments = bytes.to_vec();
    let mut code_only = bytes.to_vec();
    let wipe = |out: &mut Vec<u8>, from: usize, to: usize| {
        for byte in &mut out[from..to] {
            if *byte != b'\n' {
                *byte = b' ';
            }
        }
    };
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        if rest.starts_with(b"//") {
            let end = rest
                .iter()
                .position(|b| *b == b'\n')
                .map_or(bytes.len(), |n| i + n);
            wipe(&mut without_comments, i, end);
            wipe(&mut code_only, i, end);
            i = end;
        } else if rest.starts_with(b"/*") {
            let end = block_comment_end(bytes, i);
            wipe(&mut without_comments, i, end);
            wipe(&mut code_only, i, end);
            i = end;
        } else if let Some((open, end)) = raw_string(bytes, i) {
            wipe(&mut code_only, open, end);
            i = end;
        } else if bytes[i] == b'"' {
            let end = quoted_end(bytes, i + 1, b'"');
            wipe(&mut code_only, i + 1, end.saturating_sub(1).max(i + 1));
            i = end;
        } else if bytes[i] == b'\'' {
            match char_literal_end(src, i) {
                Some(end) => {
                    wipe(&mut code_only, i + 1, end - 1);
                    i = end;
                }
                None => i += 1, // a lifetime or label
            }
        } else {
            i += 1;
        }
    }
    Blanked {
        without_comments: String::from_utf8_lossy(&without_comments).into_owned(),
        code_only: String::from_utf8_lossy(&code_only).into_owned(),
    }
}

/// The offset after the `*/` closing the (possibly nested) comment at `start`.
fn block_comment_end(bytes: &[u8], start: usize) -> usize {
    let mut depth = 0;
    let mut i = start;
    while i + 1 < bytes.len() {
        match &bytes[i..i + 2] {
            b"/*" => {
                depth += 1;
                i += 2;
            }
            b"*/" => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return i;
                }
            }
            _ => i += 1,
        }
    }
    bytes.len()
}

/// For a raw string (`r"…"`, `r#"…"#`, `br#"…"#`) starting at `i`: the
/// offset of its contents and the offset after it.
fn raw_string(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    let starts_word = |at: usize| at == 0 || !is_ident(bytes[at - 1]);
    let r = match bytes[i] {
        b'r' if starts_word(i) => i,
        b'b' if starts_word(i) && bytes.get(i + 1) == Some(&b'r') => i + 1,
        _ => return None,
    };
    let hashes = bytes[r + 1..].iter().take_while(|b| **b == b'#').count();
    let quote = r + 1 + hashes;
    if bytes.get(quote) != Some(&b'"') {
        return None;
    }
    let mut closing = vec![b'"'];
    closing.extend(std::iter::repeat_n(b'#', hashes));
    let contents = quote + 1;
    let end = bytes[contents..]
        .windows(closing.len())
        .position(|w| w == closing.as_slice())
        .map_or(bytes.len(), |n| contents + n + closing.len());
    Some((contents, end))
}

/// The offset after the `close` ending a literal whose contents start at
/// `from`, honouring backslash escapes.
fn quoted_end(bytes: &[u8], from: usize, close: u8) -> usize {
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b if b == close => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// For a character literal at `i` (`'a'`, `'\n'`, `'é'`): the offset after
/// it; `None` for a lifetime such as `'a` or `'static`.
fn char_literal_end(src: &str, i: usize) -> Option<usize> {
    let rest = src.get(i + 1..)?;
    let mut chars = rest.char_indices();
    let (_, first) = chars.next()?;
    if first == '\\' {
        return Some(quoted_end(src.as_bytes(), i + 1, b'\''));
    }
    let (at, second) = chars.next()?;
    (second == '\'').then_some(i + 1 + at + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_literal_contents_are_blanked_in_place() {
        let src = "let a = \"x.send()\"; // .send()\nlet b = r#\"{\"y\"}\"#; let c = '\"'; fn f<'a>() {}\n/* .aws( /* nested */ */ g.send();";
        let blanked = blank(src);
        assert_eq!(blanked.code_only.len(), src.len());
        assert_eq!(blanked.code_only.matches(".send()").count(), 1);
        assert!(blanked.without_comments.contains("\"x.send()\""));
        assert!(!blanked.without_comments.contains("nested"));
        assert!(blanked.code_only.contains("fn f<'a>() {}"));
        assert_eq!(blanked.code_only.matches('{').count(), 1);
    }
}

//! The layering check: reads `src/` and fails when an import runs against the layers
//! (`web` → `flows` → `domain` → `db`), when the pages and the API import each other, or when
//! files import each other in a circle. CI runs it with every other test.
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A source file and the module path it defines (`src/web/pages/cart.rs` → `web::pages::cart`).
struct SourceFile {
    path: String,
    module: Vec<String>,
    text: String,
}

fn module_of(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let last = parts.pop().unwrap_or_default();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" && stem != "main" {
        parts.push(stem.to_string());
    }
    parts
}

fn read_sources() -> Vec<SourceFile> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<SourceFile>) {
        let mut entries: Vec<PathBuf> =
            std::fs::read_dir(dir).expect("read src").map(|e| e.expect("entry").path()).collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, root, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(root).expect("under src");
                // main.rs is the binary: it sits on top of everything and nothing imports it.
                if rel == Path::new("main.rs") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).expect("read file");
                out.push(SourceFile { path: format!("src/{}", rel.display()), module: module_of(rel), text });
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    walk(&root, &root, &mut out);
    out
}

/// The code without comments, string literals and `#[cfg(test)]` modules' `use super::*`.
fn code_of(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("//") {
            continue;
        }
        let mut in_str = false;
        let mut prev = ' ';
        let mut kept = String::new();
        for (i, c) in line.char_indices() {
            if !in_str && c == '/' && line[i..].starts_with("//") {
                break;
            }
            if c == '"' && prev != '\\' {
                in_str = !in_str;
            } else if !in_str {
                kept.push(c);
            }
            prev = c;
        }
        out.push_str(&kept);
        out.push('\n');
    }
    out
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Sep,
    Open,
    Close,
    Comma,
    Star,
}

fn tokens(s: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Tok::Ident(chars[start..i].iter().collect()));
            continue;
        }
        match c {
            ':' if chars.get(i + 1) == Some(&':') => {
                out.push(Tok::Sep);
                i += 1;
            }
            '{' => out.push(Tok::Open),
            '}' => out.push(Tok::Close),
            ',' => out.push(Tok::Comma),
            '*' => out.push(Tok::Star),
            _ => {}
        }
        i += 1;
    }
    out
}

/// Expands a use tree (`crate::a::{b, c::{d, e as f}}`) into its paths, each with the name it
/// is known by in the file.
fn expand(toks: &[Tok], pos: &mut usize, prefix: &[String], out: &mut Vec<(Vec<String>, String)>) {
    let mut path = prefix.to_vec();
    let named = |path: &Vec<String>| {
        let mut p = path.clone();
        if p.len() > 1 && p.last().is_some_and(|l| l == "self") {
            p.pop();
        }
        let name = p.last().cloned().unwrap_or_default();
        (p, name)
    };
    while *pos < toks.len() {
        match &toks[*pos] {
            Tok::Ident(id) if id == "as" => {
                let alias = match toks.get(*pos + 1) {
                    Some(Tok::Ident(a)) => a.clone(),
                    _ => String::new(),
                };
                *pos += 2;
                out.push((named(&path).0, alias));
                return;
            }
            Tok::Ident(id) => {
                path.push(id.clone());
                *pos += 1;
            }
            Tok::Sep => *pos += 1,
            Tok::Star => {
                *pos += 1;
                out.push((path.clone(), String::new()));
                return;
            }
            Tok::Open => {
                *pos += 1;
                loop {
                    expand(toks, pos, &path, out);
                    match toks.get(*pos) {
                        Some(Tok::Comma) => {
                            *pos += 1;
                            if toks.get(*pos) == Some(&Tok::Close) {
                                *pos += 1;
                                return;
                            }
                        }
                        Some(Tok::Close) => {
                            *pos += 1;
                            return;
                        }
                        _ => return,
                    }
                }
            }
            Tok::Comma | Tok::Close => break,
        }
    }
    if path.len() > prefix.len() {
        out.push(named(&path));
    }
}

/// Every path a file names: its `use` trees, and the paths in its code that start at `crate`,
/// `super` or a name a `use` brought in, each made absolute from the crate root (paths into
/// other crates keep their crate's name first).
fn paths_of(file: &SourceFile, modules: &BTreeSet<Vec<String>>) -> Vec<Vec<String>> {
    let code = code_of(&file.text);
    let mut uses: Vec<(Vec<String>, String)> = Vec::new();
    let mut rest = code.as_str();
    while let Some(i) = rest.find("use ") {
        let at_word_start = i == 0 || !rest[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_');
        let after = &rest[i + 4..];
        let end = after.find(';').unwrap_or(after.len());
        if at_word_start {
            let toks = tokens(&after[..end]);
            let mut pos = 0;
            expand(&toks, &mut pos, &[], &mut uses);
        }
        rest = &after[end..];
    }
    let absolute = |path: &[String]| -> Vec<String> {
        let Some(first) = path.first() else { return Vec::new() };
        let mut base: Vec<String> = match first.as_str() {
            "crate" => Vec::new(),
            "self" => file.module.clone(),
            "super" => {
                let mut m = file.module.clone();
                m.pop();
                m
            }
            child if modules.contains(&[file.module.clone(), vec![child.to_string()]].concat()) => {
                let mut m = file.module.clone();
                m.push(child.to_string());
                return m.into_iter().chain(path[1..].iter().cloned()).collect();
            }
            _ => return path.to_vec(),
        };
        let mut segments = path[1..].iter().peekable();
        while segments.peek().is_some_and(|s| s.as_str() == "super") {
            base.pop();
            segments.next();
        }
        base.extend(segments.cloned());
        base
    };
    let mut out: Vec<Vec<String>> = Vec::new();
    let mut aliases: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (path, name) in &uses {
        let abs = absolute(path);
        if !name.is_empty() && name != "self" {
            aliases.insert(name.clone(), abs.clone());
        }
        out.push(abs);
    }
    let toks = tokens(&code);
    for (i, t) in toks.iter().enumerate() {
        let Tok::Ident(id) = t else { continue };
        let preceded = i > 0 && toks[i - 1] == Tok::Sep;
        if preceded || toks.get(i + 1) != Some(&Tok::Sep) {
            continue;
        }
        let mut path = match id.as_str() {
            "crate" | "super" | "self" => vec![id.clone()],
            other => match aliases.get(other) {
                Some(target) => target.clone(),
                None => continue,
            },
        };
        let from_alias = !matches!(id.as_str(), "crate" | "super" | "self");
        let mut j = i + 1;
        while toks.get(j) == Some(&Tok::Sep) {
            match toks.get(j + 1) {
                Some(Tok::Ident(next)) => path.push(next.clone()),
                _ => break,
            }
            j += 2;
        }
        if path.len() > 1 {
            out.push(if from_alias { path } else { absolute(&path) });
        }
    }
    out.retain(|p| !p.is_empty());
    out
}

/// The file a path leads to: the longest module prefix that is a file, followed through a
/// folder module's `pub use` to the file that defines the name.
fn target(path: &[String], files: &BTreeMap<Vec<String>, usize>, sources: &[SourceFile]) -> Option<usize> {
    let modules: BTreeSet<Vec<String>> = files.keys().cloned().collect();
    let (len, idx) = (1..=path.len()).rev().find_map(|n| files.get(&path[..n]).map(|&i| (n, i)))?;
    let file = &sources[idx];
    let folder_module = file.path.ends_with("/mod.rs") || file.path == "src/lib.rs";
    if let (true, Some(name)) = (folder_module, path.get(len)) {
        for reexport in paths_of(file, &modules) {
            if reexport.last() == Some(name) && reexport.len() > file.module.len() && reexport != path {
                if let Some(t) = target(&reexport, files, sources) {
                    if t != idx {
                        return Some(t);
                    }
                }
            }
        }
    }
    Some(idx)
}

struct Graph {
    sources: Vec<SourceFile>,
    modules: BTreeSet<Vec<String>>,
    edges: BTreeMap<usize, BTreeSet<usize>>,
}

fn graph() -> Graph {
    let sources = read_sources();
    let files: BTreeMap<Vec<String>, usize> = sources.iter().enumerate().map(|(i, f)| (f.module.clone(), i)).collect();
    let modules: BTreeSet<Vec<String>> = files.keys().cloned().collect();
    let mut edges: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
    for (i, file) in sources.iter().enumerate() {
        for path in paths_of(file, &modules) {
            if let Some(t) = target(&path, &files, &sources) {
                // A folder module's own children are part of it: declaring and re-exporting them
                // (`pub mod x; pub use x::Y;`) is its facade, not an import.
                let folder = file.path.ends_with("/mod.rs") || file.path == "src/lib.rs";
                let own_child = folder && sources[t].module.starts_with(&file.module);
                if t != i && !own_child {
                    edges.entry(i).or_default().insert(t);
                }
            }
        }
    }
    Graph { sources, modules, edges }
}

fn in_layer(file: &SourceFile, layer: &[&str]) -> bool {
    file.module.len() >= layer.len() && file.module[..layer.len()].iter().zip(layer).all(|(a, b)| a == b)
}

/// Files of `from` that import files of `to`, or name one of the external crates `crates`.
fn violations(g: &Graph, from: &[&str], to: &[&[&str]], crates: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for (i, file) in g.sources.iter().enumerate() {
        if !in_layer(file, from) {
            continue;
        }
        for t in g.edges.get(&i).into_iter().flatten() {
            let target = &g.sources[*t];
            if to.iter().any(|layer| in_layer(target, layer)) {
                found.push(format!("{} imports {}", file.path, target.path));
            }
        }
        for path in paths_of(file, &g.modules) {
            if path.first().is_some_and(|c| crates.contains(&c.as_str())) {
                found.push(format!("{} uses {}", file.path, path.join("::")));
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

#[test]
fn the_check_sees_the_imports_it_judges() {
    let g = graph();
    let find = |p: &str| g.sources.iter().position(|f| f.path == p).unwrap_or_else(|| panic!("{p}"));
    let imports = |a: &str, b: &str| g.edges.get(&find(a)).is_some_and(|e| e.contains(&find(b)));
    // A grouped use, a path in code, and a name re-exported by a folder module.
    assert!(imports("src/web/api/carts.rs", "src/flows/orders.rs"));
    assert!(imports("src/web/pages/checkout.rs", "src/web/pages/cart_session.rs"));
    assert!(imports("src/domain/checkout/commands.rs", "src/domain/checkout/error.rs"));
    assert!(imports("src/startup.rs", "src/web/state.rs"));
    assert!(!imports("src/domain/mod.rs", "src/domain/orders/mod.rs"), "declaring a module is no import");
    assert!(imports("src/web/pages/login.rs", "src/flows/accounts.rs"), "through a `use crate::flows` alias");
    assert!(imports("src/web/pages/account.rs", "src/web/pages/orders.rs"), "through `super::`");
}

#[test]
fn the_domain_imports_no_presentation_configuration_or_framework() {
    let g = graph();
    let above: &[&[&str]] = &[&["web"], &["config"], &["flows"], &["mail"], &["services"], &["startup"], &["worker"]];
    let found = violations(&g, &["domain"], above, &["actix_web", "actix_session", "actix_http", "askama"]);
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn flows_mail_and_the_job_runner_import_nothing_of_the_web() {
    let g = graph();
    for layer in [&["flows"][..], &["mail"], &["worker"], &["services"]] {
        let found = violations(&g, layer, &[&["web"]], &["actix_session", "askama_web"]);
        assert!(found.is_empty(), "{found:#?}");
    }
}

#[test]
fn the_api_and_the_pages_never_import_each_other() {
    let g = graph();
    let mut found = violations(&g, &["web", "api"], &[&["web", "pages"], &["web", "admin"]], &[]);
    found.extend(violations(&g, &["web", "pages"], &[&["web", "api"], &["web", "admin"]], &[]));
    found.extend(violations(&g, &["web", "admin"], &[&["web", "api"]], &[]));
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn no_files_import_each_other_in_a_circle() {
    let g = graph();
    // Tarjan's strongly connected components: any with two or more files is a circle.
    struct State<'a> {
        g: &'a Graph,
        index: usize,
        indices: BTreeMap<usize, usize>,
        low: BTreeMap<usize, usize>,
        stack: Vec<usize>,
        on_stack: BTreeSet<usize>,
        circles: Vec<Vec<String>>,
    }
    fn visit(s: &mut State<'_>, v: usize) {
        s.indices.insert(v, s.index);
        s.low.insert(v, s.index);
        s.index += 1;
        s.stack.push(v);
        s.on_stack.insert(v);
        for &w in s.g.edges.get(&v).into_iter().flatten() {
            if !s.indices.contains_key(&w) {
                visit(s, w);
                let lw = s.low[&w];
                let lv = s.low.get_mut(&v).expect("visited");
                *lv = (*lv).min(lw);
            } else if s.on_stack.contains(&w) {
                let iw = s.indices[&w];
                let lv = s.low.get_mut(&v).expect("visited");
                *lv = (*lv).min(iw);
            }
        }
        if s.low[&v] == s.indices[&v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(&w);
                component.push(s.g.sources[w].path.clone());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.circles.push(component);
            }
        }
    }
    let mut state = State {
        g: &g,
        index: 0,
        indices: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        circles: Vec::new(),
    };
    for v in 0..g.sources.len() {
        if !state.indices.contains_key(&v) {
            visit(&mut state, v);
        }
    }
    assert!(state.circles.is_empty(), "{:#?}", state.circles);
}

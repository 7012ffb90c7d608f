fn main() {
    let src_dir = std::path::Path::new("src");
    let mut c_config = cc::Build::new();
    c_config
        .std("c11")
        .include(src_dir)
        .flag_if_supported("-Wno-unused-parameter")
        .flag_if_supported("-Wno-unused-but-set-variable")
        .flag_if_supported("-Wno-trigraphs");
    let parser_path = src_dir.join("parser.c");
    c_config.file(&parser_path);
    println!("cargo:rerun-if-changed={}", parser_path.display());
    println!(
        "cargo:rerun-if-changed={}",
        src_dir.join("tree_sitter").display()
    );
    // No external scanner: the grammar is pure LR(1) with a generated lexer.
    c_config.compile("tree-sitter-firebase-rules");
}

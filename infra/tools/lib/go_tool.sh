# Sourced by infra/tools/*.sh: build a Go command once into ${SQLLINT_TOOLS_DIR:-$HOME/.cache/sqllint/tools}/bin.
#
#   go_tool NAME PACKAGE VERSION [EXTRA_MODULE@VERSION ...]
#
# Prints the binary's path; builds only when it is missing. `go install pkg@version` refuses modules
# whose go.mod has replace directives, so the package is built as a tool dependency of a throwaway
# module (EXTRA modules pin what the tool's own go.mod cannot). The binary is moved into place only
# when complete, so a caller testing for the path never runs half a file.

go_tool() {
    local name="$1" package="$2" version="$3"
    shift 3
    local dir="${SQLLINT_TOOLS_DIR:-$HOME/.cache/sqllint/tools}"
    local bin="$dir/bin/$name"
    if [[ -x "$bin" ]]; then
        echo "$bin"
        return 0
    fi
    command -v go >/dev/null || { echo "$name: Go is needed to build $package@$version" >&2; return 1; }
    mkdir -p "$dir/bin" "$dir/$name-build"
    (
        cd "$dir/$name-build"
        [[ -f go.mod ]] || go mod init "local/$name" >&2
        go get -tool "$package@$version" >&2
        for extra in "$@"; do go get "$extra" >&2; done
        go build -o "$bin.tmp" "$package" >&2
    )
    mv "$bin.tmp" "$bin"
    echo "$bin"
}

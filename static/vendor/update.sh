#!/usr/bin/env bash
# Re-vendor the front-end files in static/vendor/ from the npm registry.
#
#   static/vendor/update.sh           # download, unpack and copy into static/vendor/<dir>/
#   static/vendor/update.sh --check   # the same into a scratch folder; exit 1 if the committed files differ
#
# The versions come from the table in static/vendor/VERSIONS.md (change a version there, then run
# this). Each package is fetched with `npm pack` (the package tarball, checked by npm against the
# registry's integrity hash; no CDN, no node_modules, no install scripts run) into a scratch
# folder, and only the files listed below are copied. A `sourceMappingURL` comment whose map is not
# among the copied files is removed: Django's ManifestStaticFilesStorage (collectstatic with DEBUG
# off) fails on a reference to a file that does not exist.
#
# Needs bash, npm and tar.
set -euo pipefail

VENDOR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VERSIONS="$VENDOR/VERSIONS.md"

check=false
case "${1:-}" in
    "") ;;
    --check) check=true ;;
    *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

# npm package -> folder under static/vendor/
declare -A DIR=([bootstrap]=bootstrap [htmx.org]=htmx [leaflet]=leaflet [axe-core]=axe-core [chart.js]=chartjs)

# Files to copy, as "path in the package -> path in the folder". Paths in the package are under package/.
files_for() {
    case "$1" in
        bootstrap)
            echo "LICENSE LICENSE"
            echo "dist/css/bootstrap.min.css bootstrap.min.css"
            echo "dist/css/bootstrap.min.css.map bootstrap.min.css.map"
            echo "dist/js/bootstrap.bundle.min.js bootstrap.bundle.min.js"
            echo "dist/js/bootstrap.bundle.min.js.map bootstrap.bundle.min.js.map"
            ;;
        htmx.org)
            echo "LICENSE LICENSE"
            echo "dist/htmx.min.js htmx.min.js"
            ;;
        leaflet)
            # leaflet.js.map is not shipped: it maps to ../src/*.js, which the package has no copy of.
            echo "LICENSE LICENSE"
            echo "dist/leaflet.js leaflet.js"
            echo "dist/leaflet.css leaflet.css"
            local png
            for png in layers layers-2x marker-icon marker-icon-2x marker-shadow; do
                echo "dist/images/$png.png images/$png.png"
            done
            ;;
        chart.js)
            echo "LICENSE.md LICENSE.md"
            echo "dist/chart.umd.min.js chart.umd.min.js"
            ;;
        axe-core)
            echo "LICENSE LICENSE"
            echo "axe.min.js axe.min.js"
            ;;
        *) echo "no file list for npm package $1" >&2; return 1 ;;
    esac
}

# The version in VERSIONS.md's table row "| <package> | <version> | ... |".
version_of() {
    local v
    v="$(awk -F'|' -v pkg="$1" '{ n = $2; v = $3; gsub(/[ `]/, "", n); gsub(/[ `]/, "", v) } n == pkg { print v; exit }' "$VERSIONS")"
    [[ "$v" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "no exact version for $1 in $VERSIONS (found '$v')" >&2; return 1; }
    echo "$v"
}

# Remove "//# sourceMappingURL=x" / "/*# sourceMappingURL=x */" when x is not next to the file.
strip_missing_maps() {
    local file map
    while IFS= read -r -d '' file; do
        map="$(grep -oE 'sourceMappingURL=[^ *]+' "$file" | tail -n 1 | cut -d= -f2- || true)"
        [[ -n "$map" ]] || continue
        if [[ ! -e "$(dirname "$file")/$map" ]]; then
            sed -i -E -e '/^\/\/# sourceMappingURL=/d' -e 's#/\*\# sourceMappingURL=[^*]*\*/##' "$file"
            echo "  removed the sourceMappingURL comment from ${file#"$out"/} ($map is not shipped)"
        fi
    done < <(find "$out" -type f \( -name '*.js' -o -name '*.css' \) -print0)
}

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
out="$scratch/out"
mkdir -p "$out"

for pkg in bootstrap htmx.org leaflet axe-core chart.js; do
    version="$(version_of "$pkg")"
    echo "$pkg@$version"
    (cd "$scratch" && npm pack --silent "$pkg@$version" >/dev/null)
    tarball="$scratch/$pkg-$version.tgz"
    [[ -f "$tarball" ]] || { echo "npm pack did not produce $tarball" >&2; exit 1; }
    mkdir -p "$scratch/$pkg"
    tar -xzf "$tarball" -C "$scratch/$pkg"
    dest="$out/${DIR[$pkg]}"
    while read -r from to; do
        mkdir -p "$(dirname "$dest/$to")"
        cp "$scratch/$pkg/package/$from" "$dest/$to"
    done < <(files_for "$pkg")
done
strip_missing_maps

if $check; then
    rc=0
    for dir in "${DIR[@]}"; do
        diff -r "$out/$dir" "$VENDOR/$dir" >/dev/null || { echo "static/vendor/$dir differs from what this script produces" >&2; rc=1; }
    done
    ((rc == 0)) && echo "static/vendor/ matches the pinned npm packages."
    exit "$rc"
fi

for dir in "${DIR[@]}"; do
    rm -rf "${VENDOR:?}/$dir"
    cp -R "$out/$dir" "$VENDOR/$dir"
done
echo "Updated static/vendor/ (check with: git status static/vendor)."

#!/usr/bin/env bash
# Makes the spreadsheets the sheet tests read, with the programs comms staff's
# files come from, not with postkit: LibreOffice Calc (Debian's
# libreoffice-calc-nogui, `soffice --headless --convert-to`) and iconv.
# The files it makes are committed, so CI needs no LibreOffice: run this only
# to change them (from this folder: bash make.sh), then commit what changed.
#
# partners.csv (UTF-8, written by hand) is the source of all of them:
#   partners.xlsx, partners.ods  Calc's import of it (ISO dates become date
#                                cells, ids become numbers), saved as Excel
#                                2007-365 and as OpenDocument
#   partners-semicolon.csv       Calc's export with ';' (Excel's CSV in much of
#                                Europe)
#   partners-utf16.txt           Calc's export as UTF-16 with a BOM, tab-separated
#                                (Excel's "Unicode text")
#   latin-1252.csv               latin.csv (the rows with only Latin letters)
#                                in Windows-1252 (Excel's "CSV (Comma
#                                delimited)" on Windows), by iconv
#   formulas.xlsx                formulas.csv imported with its formulas
#                                evaluated: calamine must read the results
#   corrupt.xlsx                 partners.xlsx cut in half
#   password.xlsx                partners.xlsx encrypted with the password
#                                "community" (as Excel's "Encrypt with
#                                Password" does) by msoffcrypto-tool (PyPI;
#                                LibreOffice's command line cannot set one):
#                                python3 -m venv /tmp/mscrypt &&
#                                /tmp/mscrypt/bin/pip install msoffcrypto-tool
#   duplicate.xlsx, noheader.ods Calc's import of duplicate.csv / noheader.csv
set -euo pipefail
cd "$(dirname "$0")"
command -v soffice >/dev/null || { echo "needs LibreOffice: apt-get install -y libreoffice-calc-nogui" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# CSV import: separator ',', quote '"', UTF-8 (76), from line 1, no column
# formats, English (1033), quoted fields not forced to text, special numbers
# (dates) detected, and (token 13) formulas evaluated.
import='CSV:44,34,76,1,,1033,false,true,false,false,false,0,true'
lo() { soffice --headless -env:UserInstallation="file://$work/profile" "$@" >/dev/null; }
for src in partners.csv formulas.csv duplicate.csv noheader.csv; do
  cp "$src" "$work/"
done
lo --infilter="$import" --convert-to xlsx --outdir "$work" "$work/partners.csv"
lo --infilter="$import" --convert-to ods --outdir "$work" "$work/partners.csv"
cp "$work/partners.xlsx" "$work/partners.ods" .
# Export options: separator, quote, character set (76 UTF-8, 65535 UTF-16
# with a BOM), first line, -, language, quote all text cells (false),
# -, save cell contents as shown (true): dates as the cell shows them.
lo --convert-to 'csv:Text - txt - csv (StarCalc):59,34,76,1,,1033,false,true,true' --outdir "$work/semi" partners.xlsx
mv "$work/semi/partners.csv" partners-semicolon.csv
lo --convert-to 'txt:Text - txt - csv (StarCalc):9,34,65535,1,,1033,false,true,true' --outdir "$work/u16" partners.xlsx
mv "$work/u16/partners.txt" partners-utf16.txt
iconv -f UTF-8 -t WINDOWS-1252 latin.csv > latin-1252.csv
lo --infilter="$import" --convert-to xlsx --outdir "$work" "$work/formulas.csv"
lo --infilter="$import" --convert-to xlsx --outdir "$work" "$work/duplicate.csv"
lo --infilter="$import" --convert-to ods --outdir "$work" "$work/noheader.csv"
cp "$work/formulas.xlsx" "$work/duplicate.xlsx" "$work/noheader.ods" .
head -c $(( $(stat -c %s partners.xlsx) / 2 )) partners.xlsx > corrupt.xlsx
crypt=${MSOFFCRYPTO:-/tmp/mscrypt/bin/msoffcrypto-tool}
if [ -x "$crypt" ]; then
  "$crypt" -e -p community partners.xlsx password.xlsx
else
  echo "msoffcrypto-tool not found: password.xlsx left as it was" >&2
fi
ls -l

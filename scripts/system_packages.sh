#!/usr/bin/env bash
# Install the Debian packages BDP Search needs at run time and in tests, only those missing:
# Chromium (browser tests), Tesseract with Polish data (OCR of scanned attachments),
# antiword (legacy .doc attachments) and the DejaVu fonts (Polish letters in test fixtures).
set -euo pipefail

PACKAGES=(chromium tesseract-ocr tesseract-ocr-pol antiword fonts-dejavu-core)

installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

missing=()
for package in "${PACKAGES[@]}"; do
  if ! installed "$package"; then
    missing+=("$package")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    echo "Brakuje pakietów Debiana: ${missing[*]}." >&2
    echo "Nie można ich zainstalować bez uprawnień roota (brak sudo). Zainstaluj je poleceniem:" >&2
    echo "  apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "Brakuje pakietów Debiana: ${missing[*]}, a system nie ma apt-get." >&2
  echo "Zainstaluj odpowiedniki tych pakietów ręcznie." >&2
  exit 1
fi

echo "Instaluję pakiety Debiana: ${missing[*]}"
if ! "${SUDO[@]}" apt-get update \
  || ! "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}"; then
  echo "Nie udało się zainstalować pakietów Debiana: ${missing[*]}." >&2
  echo "Są potrzebne do działania i testów BDP Search (przeglądarka, OCR, pliki .doc)." >&2
  echo "Zainstaluj je ręcznie: apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

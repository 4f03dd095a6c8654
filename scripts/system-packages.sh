#!/usr/bin/env bash
# The Debian packages planwatch needs beside Python, in one place (make install, make test and .ci/run call this).
#   system-packages.sh install   what `make install` needs: npm, for the Data Docs' scripts and styles; LibreOffice
#                                Writer (headless, for the reports' PDF) and CJK fonts (the reports' charts and PDF)
#   system-packages.sh test      also what the tests use: chromium (browser tests), poppler-utils (pdftotext and
#                                pdftoppm read the reports back), the PostgreSQL 15 server (the postgres target),
#                                Java 17 and PostgreSQL's JDBC driver (the spark target, its cluster metastore)
# Missing packages are installed when we are root; otherwise the exact command is printed and we stop, so a test
# never finds its tool absent and skips.
set -euo pipefail
group="${1:-test}"
need=()
command -v npm >/dev/null || need+=(npm)
command -v soffice >/dev/null || need+=(libreoffice-writer-nogui)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need+=(fonts-noto-cjk)
if [ "$group" = test ]; then
  command -v chromium >/dev/null || need+=(chromium)
  command -v pdftotext >/dev/null || need+=(poppler-utils)
  [ -x /usr/lib/postgresql/15/bin/initdb ] || need+=(postgresql-15)
  command -v java >/dev/null || need+=(openjdk-17-jre-headless)
  # PostgreSQL's JDBC driver: the Hive metastore of Spark on a cluster (PLANWATCH_SPARK_JDBC_JAR)
  [ -f /usr/share/java/postgresql.jar ] || need+=(libpostgresql-jdbc-java)
fi
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "planwatch needs these Debian packages / 需要安装以下 Debian 软件包:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
echo "installing Debian packages / 安装 Debian 软件包: ${need[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null

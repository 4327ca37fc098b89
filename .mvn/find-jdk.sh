# Sourced by ./mvnw and ./drain: makes JAVA_HOME point at a JDK 25 or newer, or stops with a message.
# Order: JAVA_HOME if it is 25+, then `java` on the PATH, then the usual install locations of Linux and macOS.

drain_java_major() {
  # prints the feature version of the JDK at $1 (a JDK home), or nothing
  [ -x "$1/bin/java" ] || return 0
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}

drain_is_jdk25() {
  [ -x "$1/bin/javac" ] || return 1
  v=$(drain_java_major "$1")
  [ -n "$v" ] && [ "$v" -ge 25 ]
}

drain_find_jdk() {
  if [ -n "${JAVA_HOME-}" ] && drain_is_jdk25 "$JAVA_HOME"; then
    return 0
  fi
  if command -v javac >/dev/null 2>&1; then
    candidate=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    if drain_is_jdk25 "$candidate"; then JAVA_HOME=$candidate; export JAVA_HOME; return 0; fi
  fi
  if [ -x /usr/libexec/java_home ]; then
    candidate=$(/usr/libexec/java_home -v 25+ 2>/dev/null || true)
    if [ -n "$candidate" ] && drain_is_jdk25 "$candidate"; then JAVA_HOME=$candidate; export JAVA_HOME; return 0; fi
  fi
  case $- in *f*) drain_noglob=1 ;; *) drain_noglob=0 ;; esac
  set +f
  for candidate in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* \
                   "$HOME"/.jdks/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    if drain_is_jdk25 "$candidate"; then
      JAVA_HOME=$candidate; export JAVA_HOME
      [ "$drain_noglob" = 0 ] || set -f
      return 0
    fi
  done
  echo "DRAIN needs a JDK 25 or newer, and none was found." >&2
  echo "Looked at JAVA_HOME (${JAVA_HOME:-unset}), javac on the PATH, /usr/lib/jvm, /usr/java, /opt, ~/.sdkman, ~/.jdks and /Library/Java." >&2
  echo "Install one (e.g. Eclipse Temurin 25: apt-get install temurin-25-jdk, or https://adoptium.net) and/or set JAVA_HOME to it." >&2
  exit 1
}

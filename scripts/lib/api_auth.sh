# shellcheck shell=bash
# Signing in to a node or cluster the scripts start (a cluster, or a node
# listening beyond loopback, requires authentication): api_auth_setup DIR
# writes an admin password to DIR/admin.password (kept if there is one: the
# store already knows it) (the nodes read it with --auth-admin-password-file) and a
# curl config DIR/.curlrc that signs in as admin and keeps the credentials on
# redirects to the leader; CURL_HOME=DIR makes every curl of the script use it.

api_auth_setup() {  # dir
  mkdir -p "$1"
  admin_password_file=$1/admin.password
  [ -s "$admin_password_file" ] ||
    head -c 18 /dev/urandom | base64 | tr -d '/+=\n' >"$admin_password_file"
  chmod 600 "$admin_password_file"
  printf 'user = "admin:%s"\nlocation-trusted\n' "$(cat "$admin_password_file")" >"$1/.curlrc"
  chmod 600 "$1/.curlrc"
  export CURL_HOME=$1
}

template {
  source = "/etc/app/templates/app.ctmpl"
  destination = "/tmp/app.conf"
}

# A small Puppet manifest for manifests/examples/puppet.yml, applied inside the image at build time
# with `puppet apply`. Only Puppet's core resources (no Forge module needed), and only resources that
# need no running system: the image is not booted and services do not start during the build.
file { '/etc/motd':
  ensure  => file,
  owner   => 'root',
  group   => 'root',
  mode    => '0644',
  content => "Debian ${facts['os']['release']['full']}, configured by Puppet at build time.\n",
}

file { '/etc/image-build':
  ensure  => file,
  mode    => '0644',
  content => "configured_by=puppet\n",
}

#!/usr/bin/python
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Runs the installed vfio-provision binary and speaks its JSON
# (docs/plan-json.md, docs/detect-json.md): the binary plans and writes,
# this module only renders the config, picks the verb and maps the document
# onto Ansible's changed/failed/diff results.

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: vfio_provision
short_description: Make a host a VFIO GPU-passthrough host with vfio-provision
description:
  - Runs the installed C(vfio-provision) binary with C(--json) and reports
    what it did, C(apply) (or C(plan) in check mode) for C(state=applied),
    C(revert) (or C(revert --dry-run) in check mode) for C(state=reverted).
  - The plan is computed on the host from what it finds there (GPUs, IOMMU
    groups, kernels, initramfs generator, bootloader), so one config fits
    different machines.
  - C(changed) is true exactly when files changed (the config file or what
    the binary wrote); a second run on an unchanged host reports ok.
  - A selection the binary refuses (the boot VGA, an IOMMU group shared with
    other devices, no IOMMU, ...) fails the task with the verdict and its
    reasons, unless C(force=true). With C(config), nothing is written then,
    not even the config.
  - Check mode writes nothing, not even the config; it plans against the
    would-be config, passed to the binary on standard input (C(--config -)).
    The drop-ins in C(/etc/vfio-provision.conf.d/) are still read.
  - Diff mode returns the binary's unified diffs, one per file (and the
    config file's before and after).
version_added: "0.1.0"
author:
  - vfio-provision authors
options:
  binary:
    description:
      - The vfio-provision program, a name looked up on C(PATH) or a path.
    type: str
    default: vfio-provision
  config:
    description:
      - The configuration as a mapping of INI sections to mappings of keys
        to values (section C(hugepages), key C(count), value 4, ...); the keys are in
        the vfio-provision.conf(5) man page.
      - Written atomically to C(<root>/etc/vfio-provision.conf), sections
        and keys sorted, booleans as C(yes)/C(no), lists joined with
        commas; the file is replaced only when its bytes change.
      - The binary validates it before anything is written.
      - Mutually exclusive with C(config_path). With neither, the host's
        C(/etc/vfio-provision.conf) (or, without one, the defaults) is used.
    type: dict
  config_path:
    description:
      - An existing config file to use instead of
        C(/etc/vfio-provision.conf), an absolute path inside C(root)
        (C(~) and environment variables are expanded, as for any path).
        The module does not write it.
    type: path
  state:
    description:
      - C(applied) runs C(apply), the host converges to the config.
      - C(reverted) runs C(revert), what vfio-provision wrote is taken out,
        edits made since are kept.
    type: str
    choices: [applied, reverted]
    default: applied
  regenerate:
    description:
      - Run the initramfs generator and the bootloader update afterwards
        (C(--regenerate)). Otherwise the commands are returned in
        C(commands).
    type: bool
    default: false
  force:
    description:
      - C(apply --force) despite a refusing verdict or files of the same
        name that are not ours; C(revert --force) also takes out our items
        that were edited since.
    type: bool
    default: false
  root:
    description:
      - Operate on the system installed under this directory (C(--root)),
        for image builds. Default C(/).
    type: path
  domain:
    description:
      - A libvirt domain to give the selected functions and the 1 GiB pages,
        after the host is set up (C(state=applied) only). C(vfio-provision
        guest-xml --domain) reads its definition through libvirt's API, puts
        the functions on a free pcie-root-port of that domain (adding one when
        none is free) and the C(<memoryBacking>) for the pages, and defines it
        (C(--define)); a domain that has them already is left alone.
      - Check mode shows the change without defining it; diff mode returns the
        diff of the domain's XML.
      - The task fails (nothing defined) for a running domain, one that has
        some of the functions but not all, and a machine type other than q35.
    type: str
  connect:
    description:
      - The libvirt URI for C(domain) (C(--connect), as C(virsh -c)); default
        libvirt's own (C(qemu:///system) as root).
    type: str
  gather:
    description:
      - Also run C(detect --json) (after the change) and return it as
        C(vfio_provision_facts), also set as a fact of that name.
    type: bool
    default: false
notes:
  - Supports check mode and diff mode.
  - C(root) is read and written as the file system finds it; the binary
    resolves every path inside it, the module writes only
    C(<root>/etc/vfio-provision.conf) and refuses when C(<root>/etc)
    leads outside C(root).
requirements:
  - vfio-provision on the managed host (the version this collection ships with)
'''

EXAMPLES = r'''
- name: Pass the second GPU through, with eight 1 GiB pages
  vfio_provision.host.vfio_provision:
    config:
      gpu:
        select: auto
      hugepages:
        count: 8
  register: vfio

- name: Reboot when the kernel command line or the initramfs changed
  ansible.builtin.reboot:
  when: vfio.reboot_required

- name: What would change, and the machine as detected
  vfio_provision.host.vfio_provision:
    config_path: /etc/vfio-provision.conf
    gather: true
  check_mode: true

- name: Pass the GPU through and give it, with the pages, to the guest win11
  vfio_provision.host.vfio_provision:
    config:
      hugepages:
        count: 8
    domain: win11

- name: Take it all out again, rebuilding the initramfs and grub.cfg
  vfio_provision.host.vfio_provision:
    state: reverted
    regenerate: true
'''

RETURN = r'''
config_changed:
  description: The config file was (or, in check mode, would be) rewritten.
  returned: always
  type: bool
reboot_required:
  description:
    - Files that go into the initramfs or carry the kernel command line
      changed (or would change). Reboot once the commands in C(commands)
      ran (C(regenerate=true) runs them).
  returned: always
  type: bool
verdict:
  description: The selection's verdict (C(name), C(blocking), C(reasons)); null for revert.
  returned: always
  type: dict
refusals:
  description: Why apply refuses (C(kind), C(verdict), C(path), C(reasons)).
  returned: always
  type: list
changes:
  description: The changes (C(path), C(action), C(reason)), written or pending.
  returned: always
  type: list
commands:
  description: The commands that make the changes take effect, as the binary reports them (C(argv), C(command_line), C(exit_status)).
  returned: always
  type: list
messages:
  description: The plan's messages (C(level), C(text)); warnings are also shown as task warnings.
  returned: always
  type: list
document:
  description: The whole JSON document the binary printed (docs/plan-json.md).
  returned: always
  type: dict
domain:
  description:
    - With C(domain), the document's C(domain) object (docs/guest-xml-json.md)
      (C(name), C(uri), C(changed), C(defined), C(changes), C(diff), C(xml)) and
      C(functions), the guest address each function has on it.
  returned: when C(domain) is set and C(state=applied)
  type: dict
vfio_provision_facts:
  description: C(detect --json) (docs/detect-json.md).
  returned: when C(gather=true)
  type: dict
'''

import os
import re
import json
import tempfile

from ansible.module_utils.basic import AnsibleModule

CONFIG = '/etc/vfio-provision.conf'
HEADER = ('# Written by Ansible (vfio_provision module): edits here are replaced '
          'on its next run.\n')
NAME_RE = re.compile(r'^[A-Za-z0-9_.-]+$')
# Paths whose change needs a new initramfs or a new kernel command line,
# as provision/plan-regen.c decides which commands to run.
INITRAMFS_PREFIXES = ('/etc/modprobe.d/', '/etc/vfio-provision/', '/etc/mkinitcpio.conf',
                      '/etc/dracut.conf', '/etc/initramfs-tools/')
BOOT_PREFIXES = ('/etc/default/grub', '/etc/kernel/cmdline', '/boot/')


def render_value(where, value):
    if isinstance(value, bool):
        return 'yes' if value else 'no'
    if isinstance(value, (list, tuple)):
        return ', '.join(render_value(where, v) for v in value)
    if value is None:
        raise ValueError('%s: no value (null)' % where)
    text = str(value)
    if any(c in text for c in '\n\r\0'):
        raise ValueError('%s: a value is one line' % where)
    if re.search(r'\s;', text):
        raise ValueError("%s: ' ;' starts a comment in the config file" % where)
    return text.strip()


def render_config(config):
    """The config file's text: deterministic whatever the mapping's order."""
    out = [HEADER]
    for section in sorted(config):
        keys = config[section] or {}
        if not NAME_RE.match(str(section)):
            raise ValueError('config: bad section name %r' % section)
        if not isinstance(keys, dict):
            raise ValueError('config.%s: a mapping of keys to values' % section)
        out.append('\n[%s]\n' % section)
        for key in sorted(keys):
            if not NAME_RE.match(str(key)):
                raise ValueError('config.%s: bad key name %r' % (section, key))
            out.append('%s = %s\n' % (key, render_value('config.%s.%s' % (section, key),
                                                         keys[key])))
    return ''.join(out)


def under_root(root, path):
    return os.path.join(root, path.lstrip('/'))


def read_bytes(path):
    try:
        with open(path, 'rb') as f:
            return f.read()
    except (IOError, OSError) as e:
        if getattr(e, 'errno', None) == 2:
            return None
        raise


def write_atomic(module, root, path, data):
    """Writes data to path (a file under root) by rename, keeping its mode."""
    directory = os.path.dirname(path)
    real_root = os.path.realpath(root)
    if not os.path.isdir(directory):
        os.makedirs(directory, 0o755)
    real_dir = os.path.realpath(directory)
    if real_root != '/' and real_dir != real_root and \
            not real_dir.startswith(real_root + os.sep):
        module.fail_json(msg="'%s' leads outside the root '%s'" % (directory, root))
    mode = 0o644
    try:
        mode = os.stat(path).st_mode & 0o7777
    except OSError:
        pass
    fd, tmp = tempfile.mkstemp(prefix='.vfio-provision.conf.', dir=directory)
    try:
        with os.fdopen(fd, 'wb') as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.rename(tmp, path)
        tmp = None
        dfd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    finally:
        if tmp is not None:
            os.unlink(tmp)


class Runner(object):
    def __init__(self, module, binary):
        self.module = module
        self.binary = binary
        self.base = [binary]
        # set once the config file or the host's files are written: a later
        # failure still changed the host
        self.wrote = False
        if module.params['root']:
            self.base += ['--root', module.params['root']]

    def run(self, args, stdin=None, config=None):
        """Runs the binary with --json; returns (rc, document, stderr)."""
        argv = list(self.base)
        if config:
            argv += ['--config', config]
        argv += ['--json'] + args
        what = 'vfio-provision %s' % ' '.join(args)
        kwargs = {}
        extra = {}
        if stdin is not None:
            kwargs = {'data': stdin, 'binary_data': True}
            # '<stdin>':N in a message is line N of this text
            extra = {'config_text': stdin.decode('utf-8')}
        rc, out, err = self.module.run_command(argv, check_rc=False, **kwargs)
        if rc not in (0, 1):
            # apply --regenerate whose rebuild failed still documents what it wrote
            doc = None
            try:
                doc = json.loads(out) if out.strip() else None
            except ValueError:
                pass
            written = isinstance(doc, dict) and bool(doc.get('changed'))
            if isinstance(doc, dict):
                extra = dict(extra, document=doc, commands=doc.get('commands') or [])
            self.module.fail_json(msg='%s failed (exit %d): %s' % (what, rc, err.strip()),
                                  rc=rc, stderr=err, cmd=argv,
                                  changed=written or self.wrote, **extra)
        try:
            doc = json.loads(out)
        except ValueError as e:
            self.module.fail_json(msg='%s: no JSON document on stdout (%s)' % (what, e),
                                  rc=rc, stdout=out, stderr=err, cmd=argv, changed=False)
        return rc, doc, err


def refusal_message(doc):
    parts = []
    for r in doc.get('refusals') or []:
        what = r.get('verdict') or r.get('path') or r.get('kind')
        parts.append('%s: %s' % (what, ' '.join(r.get('reasons') or [])))
    return 'vfio-provision refuses to apply (force=true overrides): ' + '; '.join(parts)


def fail_refused(module, doc):
    """A refusal: nothing was written (apply refuses before writing, and
    the config is planned before it is written)."""
    module.fail_json(msg=refusal_message(doc), verdict=doc.get('verdict'),
                     refusals=doc.get('refusals') or [], messages=doc.get('messages') or [],
                     changed=False, config_changed=False)


def needs_reboot(doc, paths):
    if doc.get('cmdline', {}).get('targets'):
        return True
    for p in paths:
        if p.startswith(INITRAMFS_PREFIXES) or p.startswith(BOOT_PREFIXES):
            return True
    return False


def diff_entries(doc):
    out = []
    for c in doc.get('changes') or []:
        if c.get('diff'):
            out.append({'prepared': c['diff']})
        else:
            out.append({'prepared': '%s %s\n' % (c.get('action'), c.get('path'))})
    return out


def define_domain(module, runner, p, check, stdin, config_arg):
    """guest-xml --domain: the domain's change, defined unless in check mode."""
    args = ['guest-xml', '--domain', p['domain']]
    if p['connect']:
        args += ['--connect', p['connect']]
    if p['force']:
        args.append('--force')
    if not check:
        args.append('--define')
    rc, doc, err = runner.run(args, stdin=stdin, config=config_arg)
    dom = dict(doc.get('domain') or {})
    dom['functions'] = doc.get('functions') or []
    for note in doc.get('notes') or []:
        module.warn(note)
    if not check and dom.get('changed') and not dom.get('defined'):
        module.fail_json(msg='vfio-provision did not define domain %s: %s'
                         % (p['domain'], err.strip()), domain=dom, changed=runner.wrote)
    return dom


def main():
    module = AnsibleModule(
        argument_spec=dict(
            binary=dict(type='str', default='vfio-provision'),
            config=dict(type='dict'),
            config_path=dict(type='path'),
            state=dict(type='str', default='applied', choices=['applied', 'reverted']),
            regenerate=dict(type='bool', default=False),
            force=dict(type='bool', default=False),
            root=dict(type='path'),
            gather=dict(type='bool', default=False),
            domain=dict(type='str'),
            connect=dict(type='str'),
        ),
        mutually_exclusive=[('config', 'config_path')],
        supports_check_mode=True,
    )
    p = module.params
    root = p['root'] or '/'
    if not os.path.isdir(root):
        module.fail_json(msg="root '%s' is not a directory" % root)
    if p['config_path'] and not p['config_path'].startswith('/'):
        module.fail_json(msg="config_path '%s': an absolute path inside the root"
                         % p['config_path'])
    binary = p['binary']
    if '/' not in binary:
        binary = module.get_bin_path(binary, required=True)
    runner = Runner(module, binary)
    check = module.check_mode

    # The config: rendered, compared, validated by the binary before writing
    config_changed = False
    config_text = None
    config_arg = p['config_path']
    diffs = []
    if p['config'] is not None:
        try:
            config_text = render_config(p['config'])
        except ValueError as e:
            module.fail_json(msg=str(e))
        path = under_root(root, CONFIG)
        try:
            before = read_bytes(path)
        except (IOError, OSError) as e:
            module.fail_json(msg="'%s': %s" % (path, e.strerror or e))
        config_changed = before != config_text.encode('utf-8')
        if config_changed and module._diff:
            diffs.append({'before_header': CONFIG, 'after_header': CONFIG,
                          'before': (before or b'').decode('utf-8', 'replace'),
                          'after': config_text})
        if check:
            config_arg = '-'
        elif config_changed:
            # plan with the candidate first: a bad or refused config is not written
            rc, doc, err = runner.run(['plan'], stdin=config_text.encode('utf-8'),
                                      config='-')
            if p['state'] == 'applied' and doc.get('refused') and not p['force']:
                fail_refused(module, doc)
            try:
                write_atomic(module, root, path, config_text.encode('utf-8'))
            except (IOError, OSError) as e:
                module.fail_json(msg="'%s': %s" % (path, e.strerror or e))
            runner.wrote = True
    stdin = config_text.encode('utf-8') if config_arg == '-' else None

    flags = []
    if p['force']:
        flags.append('--force')
    if p['regenerate'] and not check:
        flags.append('--regenerate')

    if p['state'] == 'applied':
        if check:
            rc, doc, err = runner.run(['plan'], stdin=stdin, config=config_arg)
        else:
            rc, doc, err = runner.run(['apply'] + flags, config=config_arg)
        if doc.get('refused') and not p['force']:
            fail_refused(module, doc)
        paths = [c['path'] for c in (doc.get('changes') if check else doc.get('written')) or []]
    else:
        before_doc = None
        if check or module._diff:
            force = ['--force'] if p['force'] else []
            rc, before_doc, err = runner.run(['revert', '--dry-run'] + force,
                                             stdin=stdin, config=config_arg)
        if check:
            doc = before_doc
        else:
            rc, doc, err = runner.run(['revert'] + flags, config=config_arg)
            if before_doc is not None:
                doc = dict(doc, changes=before_doc.get('changes') if doc.get('changed') else [])
        paths = [c['path'] for c in doc.get('changes') or []]

    changed = bool(doc.get('changed')) or config_changed
    domain = None
    if p['domain'] and p['state'] == 'applied':
        runner.wrote = runner.wrote or (changed and not check)
        domain = define_domain(module, runner, p, check, stdin, config_arg)
        changed = changed or bool(domain['changed'])
        if module._diff and domain.get('diff'):
            diffs.append({'prepared': domain['diff']})
    elif p['domain']:
        module.warn('domain: revert leaves the domain as it is (remove its <hostdev> '
                    'elements with virsh edit)')
    for m in doc.get('messages') or []:
        if m.get('level') == 'warning':
            module.warn(m.get('text'))
    result = dict(
        changed=changed,
        config_changed=config_changed,
        reboot_required=bool(doc.get('changed')) and needs_reboot(doc, paths),
        verdict=doc.get('verdict'),
        refusals=doc.get('refusals') or [],
        changes=[dict(path=c.get('path'), action=c.get('action'), reason=c.get('reason'))
                 for c in doc.get('changes') or []],
        commands=doc.get('commands') or [],
        messages=doc.get('messages') or [],
        document=doc,
    )
    if module._diff and doc.get('changed'):
        diffs += diff_entries(doc)
    if module._diff:
        result['diff'] = diffs
    if domain is not None:
        result['domain'] = domain
    if p['gather']:
        rc, facts, err = runner.run(['detect'], stdin=stdin, config=config_arg)
        result['vfio_provision_facts'] = facts
        result['ansible_facts'] = {'vfio_provision_facts': facts}
    module.exit_json(**result)


if __name__ == '__main__':
    main()

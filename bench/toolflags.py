#!/usr/bin/env python3
"""Runs one `anef-dossier capture` and prints, one per line, the switches its
Chromium was started with (read from /proc while it runs), without those
that only concern the DevTools connection and the profile folder."""
import os, subprocess, sys, time
cmd = sys.argv[1:]
p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
found = None
while p.poll() is None and found is None:
    for pid in os.listdir('/proc'):
        if not pid.isdigit():
            continue
        try:
            argv = open('/proc/%s/cmdline' % pid, 'rb').read().split(b'\0')
        except OSError:
            continue
        args = [a.decode() for a in argv if a]
        if '--remote-debugging-pipe' in args and not any(a.startswith('--type=') for a in args):
            found = args
            break
    time.sleep(0.01)
p.wait()
if not found:
    sys.exit("switches of the tool's Chromium not seen")
for a in found[1:]:
    if a in ('--remote-debugging-pipe', 'about:blank') or a.startswith('--user-data-dir='):
        continue
    print(a)

package capture

import (
	"bufio"
	"os"
	"runtime"
	"strings"

	"anefdossier/protocol"
)

// machineInfo describes the machine of the capture: system, host name and
// the proxy settings the browser inherits from the environment.
func machineInfo() protocol.MachineInfo {
	m := protocol.MachineInfo{OS: osName()}
	m.Hostname, _ = os.Hostname()
	var proxies []string
	for _, k := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"} {
		if v := os.Getenv(k); v != "" {
			proxies = append(proxies, k+"="+redactProxy(v))
		}
	}
	m.Proxy = "aucun (variables d'environnement *_PROXY vides)"
	if len(proxies) > 0 {
		m.Proxy = strings.Join(proxies, " ")
	}
	return m
}

// redactProxy hides a password in a proxy address.
func redactProxy(v string) string {
	if at := strings.LastIndex(v, "@"); at >= 0 {
		if i := strings.Index(v, "://"); i >= 0 && i < at {
			return v[:i+3] + "***@" + v[at+1:]
		}
		return "***@" + v[at+1:]
	}
	return v
}

func osName() string {
	name := runtime.GOOS + "/" + runtime.GOARCH
	if f, err := os.Open("/etc/os-release"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "PRETTY_NAME="); ok {
				name = strings.Trim(v, `"`) + " (" + name + ")"
			}
		}
		f.Close()
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		name += ", noyau " + strings.TrimSpace(string(b))
	}
	return name
}

// clockSource says which clock dated the capture and whether the system
// reports it synchronised (systemd-timesyncd leaves a flag file).
func clockSource() string {
	s := "horloge système de la machine"
	if _, err := os.Stat("/run/systemd/timesync/synchronized"); err == nil {
		return s + " (synchronisée par NTP selon systemd-timesyncd)"
	}
	return s + " (synchronisation NTP non vérifiée)"
}

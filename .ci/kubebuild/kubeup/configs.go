package main

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
)

// writeConfigs writes the kubeconfigs, containerd's configuration, the CNI
// network and the kubelet's configuration.
func (c *kube) writeConfigs() error {
	ca, err := os.ReadFile(c.path("pki/ca.crt"))
	if err != nil {
		return err
	}
	for _, cl := range clients {
		kc := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: ducktape-kube
  cluster:
    server: https://127.0.0.1:%d
    certificate-authority-data: %s
users:
- name: %s
  user:
    token: %s
contexts:
- name: ducktape-kube
  context:
    cluster: ducktape-kube
    user: %s
current-context: ducktape-kube
`, apiPort, base64.StdEncoding.EncodeToString(ca), cl.name, c.tokens[cl.name], cl.name)
		if err := os.WriteFile(c.path(cl.name+".kubeconfig"), []byte(kc), 0o600); err != nil {
			return err
		}
	}
	files := map[string]string{
		"containerd/config.toml": fmt.Sprintf(`version = 2
root = %[1]q
state = %[2]q
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = %[3]q

[ttrpc]
  address = %[4]q

[metrics]
  address = ""

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = %[5]q
  # This sandbox lacks CAP_SYS_RESOURCE: containers may not lower their
  # oom_score_adj below containerd's own.
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "/usr/sbin/runc"
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = %[6]q
`, filepath.Join(c.cache, "containerd"), c.path("containerd", "state"), c.containerdSock(), c.containerdSock()+".ttrpc", pauseImage, c.path("cni", "net.d")),

		"cni/net.d/10-ducktape.conflist": fmt.Sprintf(`{
  "cniVersion": "0.4.0",
  "name": "ducktape-kube",
  "plugins": [{
    "type": "bridge",
    "bridge": %q,
    "isGateway": true,
    "ipMasq": false,
    "hairpinMode": true,
    "ipam": {
      "type": "host-local",
      "ranges": [[{"subnet": %q, "rangeStart": "10.97.0.10", "gateway": %q}]],
      "dataDir": %q
    }
  }]
}
`, bridge, podSubnet, nodeIP, c.path("cni", "ipam")),

		"kubelet/config.yaml": fmt.Sprintf(`apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: %s
port: 10250
readOnlyPort: 0
healthzPort: 0
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: false}
  x509: {clientCAFile: %q}
authorization: {mode: AlwaysAllow}
containerRuntimeEndpoint: unix://%s
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
# The machine is shared and often loaded: never evict the tests' pods for
# disk or memory pressure, never collect the imported images.
evictionHard: {memory.available: "100Mi", nodefs.available: "1%%", imagefs.available: "1%%"}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
serializeImagePulls: false
maxPods: 110
resolvConf: /etc/resolv.conf
`, nodeIP, c.path("pki/ca.crt"), c.containerdSock()),
	}
	for name, data := range files {
		if err := os.WriteFile(c.path(name), []byte(data), 0o644); err != nil {
			return err
		}
	}
	return nil
}

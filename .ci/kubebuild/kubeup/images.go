package main

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// importImages puts the sandbox (pause) image and the node image into
// containerd, unless it has them: nothing is pulled.
func (c *kube) importImages(ctx context.Context) error {
	have, err := c.ctr(ctx, nil, "images", "ls", "-q")
	if err != nil {
		return err
	}
	has := func(name string) bool {
		for _, l := range strings.Split(have, "\n") {
			if l == name {
				return true
			}
		}
		return false
	}
	if !has(pauseImage) {
		archive, err := c.pauseArchive()
		if err != nil {
			return fmt.Errorf("making the pause image: %w", err)
		}
		if _, err := c.ctr(ctx, bytes.NewReader(archive), "images", "import", "-"); err != nil {
			return fmt.Errorf("importing the pause image: %w", err)
		}
	}
	if c.nodeImage == "" || has(normalized(c.nodeImage)) {
		return nil
	}
	save := exec.CommandContext(ctx, "docker", "save", c.nodeImage)
	out, err := save.StdoutPipe()
	if err != nil {
		return err
	}
	var saveErr bytes.Buffer
	save.Stderr = &saveErr
	if err := save.Start(); err != nil {
		return fmt.Errorf("docker save %s: %w", c.nodeImage, err)
	}
	_, importErr := c.ctr(ctx, out, "images", "import", "-")
	if err := save.Wait(); err != nil {
		return fmt.Errorf("docker save %s: %v: %s", c.nodeImage, err, saveErr.String())
	}
	if importErr != nil {
		return fmt.Errorf("importing %s: %w", c.nodeImage, importErr)
	}
	return nil
}

// normalized is containerd's full name of a Docker image name.
func normalized(name string) string {
	first, _, hasSlash := strings.Cut(name, "/")
	if !hasSlash {
		return "docker.io/library/" + name
	}
	if !strings.ContainsAny(first, ".:") && first != "localhost" {
		return "docker.io/" + name
	}
	return name
}

// ctr runs containerd's ctr in the k8s.io namespace (the CRI's).
func (c *kube) ctr(ctx context.Context, stdin interface{ Read([]byte) (int, error) }, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "ctr", append([]string{"--address", c.containerdSock(), "-n", "k8s.io"}, args...)...)
	if stdin != nil {
		cmd.Stdin = stdin
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("ctr %s: %v: %s", strings.Join(args, " "), err, errOut.String())
	}
	return out.String(), nil
}

// pauseArchive is an OCI image archive of one layer holding the pause
// program as /pause, its entrypoint.
func (c *kube) pauseArchive() ([]byte, error) {
	prog, err := os.ReadFile(c.binary("pause"))
	if err != nil {
		return nil, err
	}
	var layer bytes.Buffer
	lw := tar.NewWriter(&layer)
	lw.WriteHeader(&tar.Header{Name: "pause", Mode: 0o755, Size: int64(len(prog)), Typeflag: tar.TypeReg})
	lw.Write(prog)
	if err := lw.Close(); err != nil {
		return nil, err
	}
	blobs := map[string][]byte{}
	add := func(data []byte) (string, int) {
		sum := sha256.Sum256(data)
		d := "sha256:" + hex.EncodeToString(sum[:])
		blobs[d] = data
		return d, len(data)
	}
	layerDigest, layerSize := add(layer.Bytes())
	config, _ := json.Marshal(map[string]any{
		"architecture": "amd64", "os": "linux",
		"config": map[string]any{"Entrypoint": []string{"/pause"}},
		"rootfs": map[string]any{"type": "layers", "diff_ids": []string{layerDigest}},
	})
	configDigest, configSize := add(config)
	manifest, _ := json.Marshal(map[string]any{
		"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
		"config": map[string]any{"mediaType": "application/vnd.oci.image.config.v1+json", "digest": configDigest, "size": configSize},
		"layers": []any{map[string]any{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layerDigest, "size": layerSize}},
	})
	manifestDigest, manifestSize := add(manifest)
	index, _ := json.Marshal(map[string]any{
		"schemaVersion": 2,
		"manifests": []any{map[string]any{
			"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": manifestDigest, "size": manifestSize,
			"annotations": map[string]string{"io.containerd.image.name": pauseImage, "org.opencontainers.image.ref.name": "1"},
		}},
	})
	var out bytes.Buffer
	tw := tar.NewWriter(&out)
	file := func(name string, data []byte) {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg})
		tw.Write(data)
	}
	file("oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`))
	file("index.json", index)
	for d, data := range blobs {
		file("blobs/sha256/"+strings.TrimPrefix(d, "sha256:"), data)
	}
	return out.Bytes(), tw.Close()
}

// Wrapper module: compose-check loads each compose.yaml given on the command line with the
// Compose Specification's own loader (github.com/compose-spec/compose-go/v2, what docker compose
// uses), strictly: an unknown key, a missing referenced file (env_file, secrets, configs) or an
// invalid value is an error. It prints one line per file, and with -json the parsed project
// (services, images, environment) so a script can check what it says.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

// service is what the caller's assertions read from the parsed model.
type service struct {
	Image       string            `json:"image"`
	Environment map[string]string `json:"environment"`
	Secrets     []string          `json:"secrets"`
	Privileged  bool              `json:"privileged"`
	ReadOnly    bool              `json:"read_only"`
	Restart     string            `json:"restart"`
	Healthcheck bool              `json:"healthcheck"`
	CapAdd      []string          `json:"cap_add"`
}

func load(file string) (*types.Project, error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, err
	}
	opts, err := cli.NewProjectOptions(
		[]string{abs},
		cli.WithName("site"),
		cli.WithWorkingDirectory(filepath.Dir(abs)),
		// Only what the file itself says: no .env, no shell environment leaking in.
		cli.WithoutEnvironmentResolution,
		cli.WithResolvedPaths(true),
		cli.WithNormalization(true),
		cli.WithConsistency(true),
	)
	if err != nil {
		return nil, err
	}
	// Strict: unknown keys are errors (SkipValidation stays false), and so are missing files.
	project, err := opts.LoadProject(context.Background())
	if err != nil {
		return nil, err
	}
	if err := missingFiles(project); err != nil {
		return nil, err
	}
	return project, nil
}

// missingFiles: the loader checks env_file itself; secrets and configs it only records.
func missingFiles(p *types.Project) error {
	for name, s := range p.Secrets {
		if s.File != "" {
			if _, err := os.Stat(s.File); err != nil {
				return fmt.Errorf("secret %q: %w", name, err)
			}
		}
	}
	for name, c := range p.Configs {
		if c.File != "" {
			if _, err := os.Stat(c.File); err != nil {
				return fmt.Errorf("config %q: %w", name, err)
			}
		}
	}
	return nil
}

func describe(p *types.Project) map[string]service {
	out := map[string]service{}
	for name, s := range p.Services {
		env := map[string]string{}
		for k, v := range s.Environment {
			if v != nil {
				env[k] = *v
			}
		}
		secrets := []string{}
		for _, sec := range s.Secrets {
			secrets = append(secrets, sec.Source)
		}
		out[name] = service{
			Image:       s.Image,
			Environment: env,
			Secrets:     secrets,
			Privileged:  s.Privileged,
			ReadOnly:    s.ReadOnly,
			Restart:     s.Restart,
			Healthcheck: s.HealthCheck != nil && !s.HealthCheck.Disable,
			CapAdd:      s.CapAdd,
		}
	}
	return out
}

func main() {
	asJSON := flag.Bool("json", false, "print each file's services as one JSON line")
	flag.Parse()
	failed := 0
	for _, file := range flag.Args() {
		project, err := load(file)
		if err != nil {
			failed++
			fmt.Printf("FAIL %s: %v\n", file, err)
			continue
		}
		if *asJSON {
			line, _ := json.Marshal(map[string]any{"file": file, "services": describe(project)})
			fmt.Println(string(line))
			continue
		}
		fmt.Printf("ok   %s: %d services\n", file, len(project.Services))
	}
	if failed > 0 {
		os.Exit(1)
	}
}

// A stand-in for `helm template` where no helm binary exists: renders the OMS chart with Go's
// text/template and the sprig functions (what Helm uses), plus Helm's include, tpl, required
// and toYaml. It does not replace `helm lint` or kubeconform (CI runs those); it proves every
// template renders to YAML for given values.
//
//   render <chart dir> <values.json> <release> <namespace>
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	yaml "gopkg.in/yaml.v2"
)

func main() {
	if len(os.Args) != 5 {
		fmt.Fprintln(os.Stderr, "usage: render <chart dir> <values.json> <release> <namespace>")
		os.Exit(2)
	}
	chartDir, valuesFile, release, namespace := os.Args[1], os.Args[2], os.Args[3], os.Args[4]
	values, err := readValues(valuesFile)
	if err != nil {
		fail(err)
	}
	chart, err := readChart(chartDir)
	if err != nil {
		fail(err)
	}
	root := template.New("chart").Option("missingkey=zero")
	root.Funcs(funcs(root))
	files, err := filepath.Glob(filepath.Join(chartDir, "templates", "*"))
	if err != nil {
		fail(err)
	}
	sort.Strings(files)
	prefix := chart["Name"].(string) + "/templates/"
	for _, file := range files {
		text, err := os.ReadFile(file)
		if err != nil {
			fail(err)
		}
		if _, err := root.New(prefix + filepath.Base(file)).Parse(string(text)); err != nil {
			fail(err)
		}
	}
	var failures []string
	for _, file := range files {
		base := filepath.Base(file)
		if strings.HasPrefix(base, "_") || !strings.HasSuffix(base, ".yaml") {
			continue
		}
		name := prefix + base
		data := map[string]interface{}{
			"Values":       values,
			"Chart":        chart,
			"Release":      map[string]interface{}{"Name": release, "Namespace": namespace, "Service": "Helm", "IsInstall": true, "IsUpgrade": false},
			"Template":     map[string]interface{}{"Name": name, "BasePath": strings.TrimSuffix(prefix, "/")},
			"Capabilities": map[string]interface{}{"KubeVersion": map[string]interface{}{"Version": "v1.30.0"}},
		}
		var out bytes.Buffer
		if err := root.ExecuteTemplate(&out, name, data); err != nil {
			failures = append(failures, err.Error())
			continue
		}
		rendered := strings.ReplaceAll(out.String(), "<no value>", "")
		if strings.TrimSpace(rendered) != "" {
			fmt.Printf("---\n# Source: %s\n%s\n", name, rendered)
		}
	}
	if len(failures) > 0 {
		fail(errors.New(strings.Join(failures, "\n")))
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

// Numbers decode as float64, as in Helm.
func readValues(path string) (map[string]interface{}, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var values map[string]interface{}
	return values, json.Unmarshal(raw, &values)
}

func readChart(dir string) (map[string]interface{}, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "Chart.yaml"))
	if err != nil {
		return nil, err
	}
	var meta struct {
		Name       string `yaml:"name"`
		Version    string `yaml:"version"`
		AppVersion string `yaml:"appVersion"`
	}
	if err := yaml.Unmarshal(raw, &meta); err != nil {
		return nil, err
	}
	return map[string]interface{}{"Name": meta.Name, "Version": meta.Version, "AppVersion": meta.AppVersion}, nil
}

func funcs(root *template.Template) template.FuncMap {
	functions := sprig.TxtFuncMap()
	functions["toYaml"] = func(value interface{}) string {
		out, err := yaml.Marshal(value)
		if err != nil {
			return ""
		}
		return strings.TrimSuffix(string(out), "\n")
	}
	functions["toJson"] = func(value interface{}) string {
		out, _ := json.Marshal(value)
		return string(out)
	}
	functions["required"] = func(message string, value interface{}) (interface{}, error) {
		if value == nil {
			return nil, errors.New(message)
		}
		if text, ok := value.(string); ok && text == "" {
			return nil, errors.New(message)
		}
		return value, nil
	}
	functions["include"] = func(name string, data interface{}) (string, error) {
		var out bytes.Buffer
		err := root.ExecuteTemplate(&out, name, data)
		return out.String(), err
	}
	functions["tpl"] = func(text string, data interface{}) (string, error) {
		clone, err := root.Clone()
		if err != nil {
			return "", err
		}
		parsed, err := clone.New("tpl").Parse(text)
		if err != nil {
			return "", err
		}
		var out bytes.Buffer
		if err := parsed.Execute(&out, data); err != nil {
			return "", err
		}
		return strings.ReplaceAll(out.String(), "<no value>", ""), nil
	}
	return functions
}

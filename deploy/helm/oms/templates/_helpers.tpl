{{/* The app this release runs; every template depends on it. */}}
{{- define "oms.app" -}}
{{- required "set app (use deploy/helm/values/<app>.yaml)" .Values.app -}}
{{- end -}}

{{- define "oms.name" -}}
{{- default (include "oms.app" .) .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Release `order-api` of app order-api -> `order-api`; release `blue` -> `blue-order-api`. */}}
{{- define "oms.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "oms.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "oms.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "oms.selectorLabels" -}}
app.kubernetes.io/name: {{ include "oms.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "oms.labels" -}}
{{ include "oms.commonLabels" . }}
{{ include "oms.selectorLabels" . }}
app.kubernetes.io/component: {{ include "oms.app" . }}
{{- end -}}

{{/* Labels of everything the release owns, without the name/component pair. */}}
{{- define "oms.commonLabels" -}}
helm.sh/chart: {{ include "oms.chart" . }}
app.kubernetes.io/part-of: oms
app.kubernetes.io/version: {{ include "oms.imageTag" . | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
oms.io/environment: {{ .Values.environment }}
{{- end -}}

{{- define "oms.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "oms.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "oms.imageTag" -}}
{{- default .Chart.AppVersion .Values.image.tag -}}
{{- end -}}

{{/* registry/repository:tag, or @digest when pinned. */}}
{{- define "oms.image" -}}
{{- $repo := default (printf "oms/%s" (include "oms.app" .)) .Values.image.repository -}}
{{- $ref := ternary (printf "%s/%s" .Values.image.registry $repo) $repo (ne .Values.image.registry "") -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" $ref .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" $ref (include "oms.imageTag" .) -}}
{{- end -}}
{{- end -}}

{{- define "oms.migratorImage" -}}
{{- $repo := default "oms/migrator" .Values.migrations.image.repository -}}
{{- $tag := default (include "oms.imageTag" .) .Values.migrations.image.tag -}}
{{- $ref := ternary (printf "%s/%s" .Values.image.registry $repo) $repo (ne .Values.image.registry "") -}}
{{- printf "%s:%s" $ref $tag -}}
{{- end -}}

{{- define "oms.usesRollout" -}}
{{- if ne .Values.strategy.type "rolling" -}}true{{- end -}}
{{- end -}}

{{/* TLS files are mounted only where a gRPC server listens. */}}
{{- define "oms.grpcTls" -}}
{{- if and .Values.grpcTls.enabled (gt (int .Values.ports.grpc) 0) -}}true{{- end -}}
{{- end -}}

{{- define "oms.usesKeda" -}}
{{- if and .Values.keda.enabled .Values.keda.triggers -}}true{{- end -}}
{{- end -}}

{{/* Always above OMS_SHUTDOWN_TIMEOUT plus the preStop pause, so the kubelet never kills a draining pod. */}}
{{- define "oms.terminationGracePeriodSeconds" -}}
{{- add .Values.shutdown.preStopSleepSeconds .Values.shutdown.timeoutSeconds .Values.shutdown.graceMarginSeconds -}}
{{- end -}}

{{/* Variables the chart owns: listen addresses follow `ports`, the shutdown timeout follows `shutdown`. */}}
{{- define "oms.derivedEnv" -}}
OMS_METRICS_ADDR: {{ printf ":%d" (int .Values.ports.metrics) | quote }}
{{- if gt (int .Values.ports.http) 0 }}
OMS_HTTP_ADDR: {{ printf ":%d" (int .Values.ports.http) | quote }}
{{- end }}
{{- if gt (int .Values.ports.grpc) 0 }}
OMS_GRPC_ADDR: {{ printf ":%d" (int .Values.ports.grpc) | quote }}
{{- end }}
OMS_SHUTDOWN_TIMEOUT: {{ printf "%ds" (int .Values.shutdown.timeoutSeconds) | quote }}
{{- end -}}

{{- define "oms.otelEnv" -}}
{{- if .Values.otel.enabled }}
OTEL_SERVICE_NAME: {{ include "oms.app" . | quote }}
OTEL_TRACES_EXPORTER: "otlp"
OTEL_EXPORTER_OTLP_ENDPOINT: {{ .Values.otel.endpoint | quote }}
OTEL_EXPORTER_OTLP_PROTOCOL: {{ .Values.otel.protocol | quote }}
OTEL_TRACES_SAMPLER: {{ .Values.otel.sampler | quote }}
OTEL_TRACES_SAMPLER_ARG: {{ .Values.otel.samplerArg | quote }}
{{- $attrs := list (printf "deployment.environment=%s" .Values.environment) -}}
{{- range $k, $v := .Values.otel.resourceAttributes }}
{{- $attrs = append $attrs (printf "%s=%s" $k $v) -}}
{{- end }}
OTEL_RESOURCE_ATTRIBUTES: {{ join "," $attrs | quote }}
{{- end }}
{{- end -}}

{{/* Secret files: volume mounts and the <NAME>_FILE variables pointing at them. */}}
{{- define "oms.secretFileEnv" -}}
{{- range .Values.secrets.files }}
- name: {{ printf "%s_FILE" .env }}
  value: {{ printf "/var/run/secrets/oms/%s/%s" (lower .env) .key | quote }}
{{- end }}
{{- end -}}

{{- define "oms.grpcTlsEnv" -}}
{{- if include "oms.grpcTls" . }}
- name: OMS_GRPC_TLS_CERT_FILE
  value: {{ printf "%s/tls.crt" .Values.grpcTls.mountPath | quote }}
- name: OMS_GRPC_TLS_KEY_FILE
  value: {{ printf "%s/tls.key" .Values.grpcTls.mountPath | quote }}
{{- if .Values.grpcTls.mutual }}
- name: OMS_GRPC_TLS_CLIENT_CA_FILE
  value: {{ printf "%s/ca.crt" .Values.grpcTls.mountPath | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{- define "oms.secretFileMounts" -}}
{{- range .Values.secrets.files }}
- name: {{ printf "secret-%s" (lower .env | replace "_" "-") | trunc 63 | trimSuffix "-" }}
  mountPath: {{ printf "/var/run/secrets/oms/%s" (lower .env) }}
  readOnly: true
{{- end }}
{{- end -}}

{{- define "oms.secretFileVolumes" -}}
{{- range .Values.secrets.files }}
- name: {{ printf "secret-%s" (lower .env | replace "_" "-") | trunc 63 | trimSuffix "-" }}
  secret:
    secretName: {{ .secretName }}
    defaultMode: 0440
    items:
      - key: {{ .key }}
        path: {{ .key }}
{{- end }}
{{- end -}}

{{/* The pod template shared by the Deployment and the Argo Rollout. */}}
{{- define "oms.podTemplate" -}}
metadata:
  labels:
    {{- include "oms.labels" . | nindent 4 }}
    {{- with .Values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    checksum/config: {{ include (print $.Template.BasePath "/configmap.yaml") . | sha256sum }}
    {{- with .Values.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "oms.serviceAccountName" . }}
  automountServiceAccountToken: {{ .Values.automountServiceAccountToken }}
  terminationGracePeriodSeconds: {{ include "oms.terminationGracePeriodSeconds" . }}
  securityContext:
    {{- toYaml .Values.podSecurityContext | nindent 4 }}
  {{- with .Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  {{- if .Values.topologySpread.enabled }}
  topologySpreadConstraints:
    {{- range list "topology.kubernetes.io/zone" "kubernetes.io/hostname" }}
    - topologyKey: {{ . }}
      maxSkew: {{ $.Values.topologySpread.maxSkew }}
      whenUnsatisfiable: {{ $.Values.topologySpread.whenUnsatisfiable }}
      labelSelector:
        matchLabels:
          {{- include "oms.selectorLabels" $ | nindent 10 }}
    {{- end }}
  {{- end }}
  containers:
    - name: {{ include "oms.app" . }}
      image: {{ include "oms.image" . }}
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      {{- with .Values.args }}
      args:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      ports:
        - name: metrics
          containerPort: {{ .Values.ports.metrics }}
          protocol: TCP
        {{- if gt (int .Values.ports.http) 0 }}
        - name: http
          containerPort: {{ .Values.ports.http }}
          protocol: TCP
        {{- end }}
        {{- if gt (int .Values.ports.grpc) 0 }}
        - name: grpc
          containerPort: {{ .Values.ports.grpc }}
          protocol: TCP
        {{- end }}
      envFrom:
        - configMapRef:
            name: {{ include "oms.fullname" . }}
        {{- with .Values.secrets.existingSecret }}
        - secretRef:
            name: {{ . }}
        {{- end }}
      env:
        - name: POD_NAME
          valueFrom:
            fieldRef:
              fieldPath: metadata.name
        {{- with .Values.nodeOptions }}
        - name: NODE_OPTIONS
          value: {{ . | quote }}
        {{- end }}
        {{- with .Values.nodeHeapPercent }}
        - name: OMS_NODE_HEAP_PERCENT
          value: {{ . | quote }}
        {{- end }}
        {{- include "oms.secretFileEnv" . | nindent 8 }}
        {{- include "oms.grpcTlsEnv" . | nindent 8 }}
        {{- include "oms.kafkaEnv" . | nindent 8 }}
      {{- if .Values.probes.startup.enabled }}
      startupProbe:
        httpGet:
          path: {{ .Values.probes.startup.path }}
          port: metrics
        periodSeconds: {{ .Values.probes.startup.periodSeconds }}
        timeoutSeconds: {{ .Values.probes.startup.timeoutSeconds }}
        failureThreshold: {{ .Values.probes.startup.failureThreshold }}
      {{- end }}
      livenessProbe:
        httpGet:
          path: {{ .Values.probes.liveness.path }}
          port: metrics
        periodSeconds: {{ .Values.probes.liveness.periodSeconds }}
        timeoutSeconds: {{ .Values.probes.liveness.timeoutSeconds }}
        failureThreshold: {{ .Values.probes.liveness.failureThreshold }}
      readinessProbe:
        httpGet:
          path: {{ .Values.probes.readiness.path }}
          port: metrics
        periodSeconds: {{ .Values.probes.readiness.periodSeconds }}
        timeoutSeconds: {{ .Values.probes.readiness.timeoutSeconds }}
        failureThreshold: {{ .Values.probes.readiness.failureThreshold }}
        successThreshold: {{ .Values.probes.readiness.successThreshold }}
      lifecycle:
        preStop:
          exec:
            command: ["sleep", "{{ .Values.shutdown.preStopSleepSeconds }}"]
      resources:
        {{- toYaml .Values.resources | nindent 8 }}
      securityContext:
        {{- toYaml .Values.securityContext | nindent 8 }}
      volumeMounts:
        - name: tmp
          mountPath: /tmp
        {{- include "oms.secretFileMounts" . | nindent 8 }}
        {{- include "oms.kafkaMounts" . | nindent 8 }}
        {{- if include "oms.grpcTls" . }}
        - name: grpc-tls
          mountPath: {{ .Values.grpcTls.mountPath }}
          readOnly: true
        {{- end }}
  volumes:
    - name: tmp
      emptyDir:
        {{- with .Values.tmpVolume.medium }}
        medium: {{ . }}
        {{- end }}
        sizeLimit: {{ .Values.tmpVolume.sizeLimit }}
    {{- include "oms.secretFileVolumes" . | nindent 4 }}
    {{- include "oms.kafkaVolumes" . | nindent 4 }}
    {{- if include "oms.grpcTls" . }}
    - name: grpc-tls
      secret:
        secretName: {{ required "grpcTls.secretName is required when grpcTls.enabled" .Values.grpcTls.secretName }}
        defaultMode: 0440
    {{- end }}
  {{- with .Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}

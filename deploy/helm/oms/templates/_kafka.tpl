{{/* Kafka TLS and SASL from `kafka`: the variables, and the Secrets mounted as files (pods and the migrator Job). */}}
{{- define "oms.kafkaTlsFiles" -}}
{{- if and .Values.kafka.tls.enabled .Values.kafka.tls.secretName -}}true{{- end -}}
{{- end -}}

{{- define "oms.kafkaEnv" -}}
{{- $kafka := .Values.kafka }}
{{- if $kafka.tls.enabled }}
- name: OMS_KAFKA_TLS_ENABLED
  value: "true"
- name: OMS_KAFKA_TLS_REJECT_UNAUTHORIZED
  value: {{ $kafka.tls.rejectUnauthorized | quote }}
{{- if include "oms.kafkaTlsFiles" . }}
- name: OMS_KAFKA_TLS_CA_FILE
  value: {{ printf "%s/ca.crt" $kafka.tls.mountPath | quote }}
{{- if $kafka.tls.clientCertificate }}
- name: OMS_KAFKA_TLS_CERT_FILE
  value: {{ printf "%s/tls.crt" $kafka.tls.mountPath | quote }}
- name: OMS_KAFKA_TLS_KEY_FILE
  value: {{ printf "%s/tls.key" $kafka.tls.mountPath | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- if $kafka.sasl.mechanism }}
- name: OMS_KAFKA_SASL_MECHANISM
  value: {{ $kafka.sasl.mechanism | quote }}
- name: OMS_KAFKA_SASL_USERNAME
  value: {{ required "kafka.sasl.username is required with kafka.sasl.mechanism" $kafka.sasl.username | quote }}
- name: OMS_KAFKA_SASL_PASSWORD_FILE
  value: {{ printf "%s/%s" $kafka.sasl.mountPath $kafka.sasl.passwordSecret.key | quote }}
{{- end }}
{{- end -}}

{{- define "oms.kafkaMounts" -}}
{{- if include "oms.kafkaTlsFiles" . }}
- name: kafka-tls
  mountPath: {{ .Values.kafka.tls.mountPath }}
  readOnly: true
{{- end }}
{{- if .Values.kafka.sasl.mechanism }}
- name: kafka-sasl
  mountPath: {{ .Values.kafka.sasl.mountPath }}
  readOnly: true
{{- end }}
{{- end -}}

{{- define "oms.kafkaVolumes" -}}
{{- if include "oms.kafkaTlsFiles" . }}
- name: kafka-tls
  secret:
    secretName: {{ .Values.kafka.tls.secretName }}
    defaultMode: 0440
{{- end }}
{{- if .Values.kafka.sasl.mechanism }}
- name: kafka-sasl
  secret:
    secretName: {{ required "kafka.sasl.passwordSecret.name is required with kafka.sasl.mechanism" .Values.kafka.sasl.passwordSecret.name }}
    defaultMode: 0440
    items:
      - key: {{ .Values.kafka.sasl.passwordSecret.key }}
        path: {{ .Values.kafka.sasl.passwordSecret.key }}
{{- end }}
{{- end -}}

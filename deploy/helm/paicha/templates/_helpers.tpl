{{/* Names, labels and the per-service settings shared by the templates. */}}

{{- define "paicha.fullname" -}}
{{- if contains "paicha" .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-paicha" .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "paicha.labels" -}}
app.kubernetes.io/name: paicha
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector labels of one service's pods; call with (dict "root" $ "name" "intake"). */}}
{{- define "paicha.selector" -}}
app.kubernetes.io/name: paicha
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{- define "paicha.kafkaName" -}}
{{- .Values.kafka.strimzi.name | default (printf "%s-kafka" (include "paicha.fullname" .)) -}}
{{- end -}}

{{- define "paicha.mongoName" -}}
{{- .Values.mongodb.operator.name | default (printf "%s-mongo" (include "paicha.fullname" .)) -}}
{{- end -}}

{{/* KafkaUser (and SASL user) name of a service: (dict "root" $ "name" "intake"). */}}
{{- define "paicha.kafkaUser" -}}
{{- printf "%s-%s" (include "paicha.fullname" .root) .name -}}
{{- end -}}

{{/* Secret the MongoDB operator writes a service's connection string to. */}}
{{- define "paicha.mongoConnSecret" -}}
{{- printf "%s-%s" (include "paicha.mongoName" .root) .name -}}
{{- end -}}

{{/* The partitions of the busiest topic a service consumes: (dict "root" $ "svc" $svc). */}}
{{- define "paicha.partitionBound" -}}
{{- $bound := 0 -}}
{{- range $t := .root.Values.topics -}}
{{- if has $t.name $.svc.consumes -}}
{{- if gt (int $t.partitions) $bound -}}{{- $bound = int $t.partitions -}}{{- end -}}
{{- end -}}
{{- end -}}
{{- $bound -}}
{{- end -}}

{{/* A service's settings: serviceDefaults deep-merged under the service's own. */}}
{{- define "paicha.service" -}}
{{- $svc := mergeOverwrite (deepCopy .root.Values.serviceDefaults) (deepCopy .svc) -}}
{{- toYaml $svc -}}
{{- end -}}

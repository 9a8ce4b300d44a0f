module github.com/relais/relais

go 1.26.8

require github.com/nlpodyssey/spago v1.1.0

require (
	github.com/google/flatbuffers v23.5.26+incompatible // indirect
	go.yaml.in/yaml/v3 v3.0.6 // indirect
)

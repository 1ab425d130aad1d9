"""The body model on streams: the kinematics and hands stages, T-pose calibration over
`/pose`, and their metrics. The solver is `posestudio.kinematics`, the hand model
`posestudio.hands`; this package wires them into the pipeline (see docs/kinematics.md)."""

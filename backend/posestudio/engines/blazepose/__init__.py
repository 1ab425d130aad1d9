"""BlazePose in torch on MediaPipe's own weights (docs/blazepose.md).

`converter` reads the `.tflite` files of the installed mediapipe wheel, `modules` rebuilds
them as torch modules, `crop` reproduces MediaPipe's crops, `graph` its pipeline, and
`engine` is the `blazepose` plugin. torch is imported only by those modules.
"""

// Parses, but does not verify: the returned type is not the declared one.
func.func @f(%a: tensor<4xf32>) -> tensor<5xf32> {
  return %a : tensor<4xf32>
}

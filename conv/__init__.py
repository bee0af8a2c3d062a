"""convscope's numerics: neural-network-style 2-D convolution in pure numpy."""

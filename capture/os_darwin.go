package capture

const isDarwin = true

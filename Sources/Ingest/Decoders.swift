/// Makes the decoder of each input format.
enum Decoders {
    static func make(_ format: InputFormat, options: IngestOptions) -> any InputDecoder {
        switch format {
        case .native: NativeDecoder()
        case .nanomdm: NanoMDMDecoder(attemptParameter: options.attemptParameter)
        case .graph: GraphDecoder()
        case .accessLog: AccessLogDecoder(logFormat: options.logFormat)
        }
    }
}

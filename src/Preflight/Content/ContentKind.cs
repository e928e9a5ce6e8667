namespace Preflight.Content;

/// <summary>What an entry is, decided once from its first bytes and its name.</summary>
public enum ContentKind
{
    /// <summary>Nothing could be decided (empty entries).</summary>
    Empty = 0,
    /// <summary>Text in a known encoding.</summary>
    Text,
    /// <summary>A .NET assembly: a PE file with a CLI header.</summary>
    DotNetAssembly,
    /// <summary>A native executable or library: ELF, PE without CLI header, Mach-O.</summary>
    NativeBinary,
    /// <summary>An archive the reader can descend into (zip, tar, gzip, bzip2).</summary>
    Archive,
    /// <summary>A certificate, key, keystore or signature container (PEM, DER, PKCS#7, PKCS#12, JKS).</summary>
    CertificateContainer,
    /// <summary>Any other binary data.</summary>
    OtherBinary,
}

/// <summary>The archive formats the reader understands.</summary>
public enum ArchiveFormat
{
    /// <summary>Not an archive.</summary>
    None = 0,
    /// <summary>PKZIP (also .nupkg, .jar, .whl).</summary>
    Zip,
    /// <summary>POSIX/GNU tar.</summary>
    Tar,
    /// <summary>gzip; may hold a tar.</summary>
    GZip,
    /// <summary>bzip2; may hold a tar.</summary>
    BZip2,
}

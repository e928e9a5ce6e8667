using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using Mono.Cecil;

namespace Preflight.Content;

/// <summary>
/// An entry's bytes and the views detectors share. Each view is computed at most once, on first use, by
/// whichever detector asks first. Not thread-safe: one entry is analysed by one thread (see
/// <c>IDetector</c>). Like <see cref="Bytes"/>, the views are valid while the entry is analysed: the scan disposes
/// the content afterwards and gives its buffers back to the pool.
/// </summary>
public sealed class EntryContent : IDisposable
{
    /// <summary>
    /// Texts of more characters than this are decoded into a buffer of <see cref="BoundedArrayPool{T}.Text"/>, smaller
    /// ones into one of the shared pool. (A string that large lives on the large-object heap, and allocating one per
    /// entry cost more than everything a detector then does with it.)
    /// </summary>
    internal const int PooledTextThreshold = 32 * 1024;

    private readonly string _path;
    private bool _encodingDone;
    private Encoding? _encoding;
    private string? _text;
    private char[]? _chars;
    private bool _sharedPool;
    private int _charCount;
    private bool _decoded;
    private LineIndex? _lines;
    private IReadOnlyList<PrintableString>? _strings;
    private bool _moduleDone;
    private ModuleDefinition? _module;
    private string? _moduleError;
    private SyntaxTree? _syntaxTree;

    /// <summary>Creates the views over an entry's bytes.</summary>
    /// <param name="path">The entry's location path (used in parse diagnostics).</param>
    /// <param name="bytes">The entry's bytes (or their analysed prefix).</param>
    /// <param name="kind">What the sniffer decided.</param>
    public EntryContent(string path, ReadOnlyMemory<byte> bytes, ContentKind kind)
    {
        _path = path;
        Bytes = bytes;
        Kind = kind;
    }

    /// <summary>
    /// The views over one window of a large entry: the encoding is the one found on the entry's first bytes, and
    /// only the first window may start with a byte-order mark.
    /// </summary>
    internal EntryContent(string path, ReadOnlyMemory<byte> bytes, ContentKind kind, Encoding? encoding, bool firstWindow)
        : this(path, bytes, kind)
    {
        _encoding = encoding;
        _encodingDone = true;
        _middleWindow = !firstWindow;
    }

    private readonly bool _middleWindow;

    /// <summary>The raw bytes.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>What the entry is.</summary>
    public ContentKind Kind { get; }

    /// <summary>The text encoding, or null when the bytes are not text.</summary>
    public Encoding? Encoding
    {
        get
        {
            if (!_encodingDone)
            {
                _encoding = Kind is ContentKind.Text or ContentKind.CertificateContainer or ContentKind.Empty
                    ? TextDecoding.Detect(Bytes.Span)
                    : null;
                _encodingDone = true;
            }
            return _encoding;
        }
    }

    /// <summary>True when the entry decodes as text.</summary>
    public bool IsText => Encoding is not null;

    /// <summary>
    /// The decoded text (without a byte-order mark) as a string; empty when the entry is not text. For a large text
    /// this allocates the string on first use: hot paths read <see cref="TextSpan"/> instead.
    /// </summary>
    public string Text => Decode(preferString: true) ? _text ??= new string(_chars.AsSpan(0, _charCount)) : _text!;

    /// <summary>
    /// The decoded text (without a byte-order mark); empty when the entry is not text. The same characters as
    /// <see cref="Text"/>, without allocating a string for a large text. Valid until the content is disposed.
    /// </summary>
    public ReadOnlySpan<char> TextSpan => Decode(preferString: false) ? _chars.AsSpan(0, _charCount) : _text.AsSpan();

    /// <summary>The decoded text as memory (see <see cref="TextSpan"/>); valid until the content is disposed.</summary>
    internal ReadOnlyMemory<char> TextMemory => Decode(preferString: false) ? _chars.AsMemory(0, _charCount) : _text.AsMemory();

    /// <summary>
    /// Decodes the text once: into a string when a string is what the first caller wants, else into a pooled buffer
    /// (the shared pool for small texts, the bounded one for large). True when it went to the buffer, false when it
    /// is in <see cref="_text"/>.
    /// </summary>
    private bool Decode(bool preferString)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_decoded)
        {
            _decoded = true;
            var encoding = Encoding;
            var span = Bytes.Span;
            if (!_middleWindow) span = span[TextDecoding.PreambleLength(span)..];
            if (encoding is null) _text = string.Empty;
            else if (preferString) _text = encoding.GetString(span);
            else
            {
                // A small text goes into a buffer of the shared pool too: most texts are only ever read as spans, and a
                // package of 100,000 small files decoded into as many strings kept the collector busy.
                int most = encoding.GetMaxCharCount(span.Length);
                _sharedPool = most <= PooledTextThreshold;
                _chars = _sharedPool ? System.Buffers.ArrayPool<char>.Shared.Rent(most) : BoundedArrayPool<char>.Text.Rent(most);
                _charCount = encoding.GetChars(span, _chars);
            }
        }
        return _chars is not null;
    }

    /// <summary>Line boundaries of the text: 1-based line numbers without a string per line.</summary>
    public LineIndex Lines => _lines ??= new LineIndex(TextMemory, pooled: true);

    private bool _disposed;

    /// <summary>Gives the pooled text buffer back; the views must not be used afterwards.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _lines?.Release();
        if (_chars is { } chars)
        {
            _chars = null;
            if (_sharedPool) System.Buffers.ArrayPool<char>.Shared.Return(chars);
            else BoundedArrayPool<char>.Text.Return(chars);
        }
    }

    private byte[]? _sha256;

    /// <summary>
    /// The SHA-256 of <see cref="Bytes"/>, computed once for every detector that asks: checksum manifests and detached
    /// signatures need it, and detectors recognise copies of an entry they have examined already by it.
    /// </summary>
    internal byte[] Sha256 => _sha256 ??= System.Security.Cryptography.SHA256.HashData(Bytes.Span);

    /// <summary>Printable ASCII and UTF-16LE strings of a binary, with their byte offsets (at least 6 characters).</summary>
    public IReadOnlyList<PrintableString> PrintableStrings => _strings ??= Content.PrintableStrings.Extract(Bytes.Span, PrintableString.DefaultMinimumLength);

    /// <summary>
    /// The assembly's main module read as metadata by Mono.Cecil from memory, with no reference resolution
    /// and no symbols; it is never loaded into the runtime. Null when the entry is not a .NET assembly or its
    /// metadata is malformed (then <see cref="ModuleError"/> says why). The PE and metadata structure is checked
    /// first (sizes, row counts, signature and custom-attribute counts against the bytes that hold them), so that a
    /// corrupted count cannot make Cecil allocate gigabytes.
    /// </summary>
    public ModuleDefinition? Module
    {
        get
        {
            if (!_moduleDone)
            {
                _moduleDone = true;
                if (Kind == ContentKind.DotNetAssembly)
                {
                    // Cecil and the precheck read the entry's own buffer (pooled, at least as long-lived as this
                    // content); a copy only when the bytes are not the start of an array. A copy per assembly was most
                    // of the scan's large-object allocations.
                    var (bytes, length) = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(Bytes, out var segment) && segment.Offset == 0
                        ? (segment.Array!, segment.Count)
                        : (Bytes.ToArray(), Bytes.Length);
                    // Cecil allocates by the counts it reads before it reads what they count: a corrupted count is a
                    // memory bomb. The precheck refuses any module whose counts claim more than its bytes hold.
                    _moduleError = MetadataPrecheck.Check(bytes, length);
                    if (_moduleError is null)
                    {
                        _module = ReadModule(bytes, length);
                        if (_module is not null) ModuleImage = (bytes, length);
                    }
                }
            }
            return _module;
        }
    }

    private ModuleDefinition? ReadModule(byte[] bytes, int length)
    {
        try
        {
            return ModuleDefinition.ReadModule(new MemoryStream(bytes, 0, length, writable: false), new ReaderParameters(ReadingMode.Deferred)
            {
                ReadSymbols = false,
                InMemory = true,
                AssemblyResolver = NoAssemblyResolver.Instance,
                MetadataResolver = null,
            });
        }
        catch (Exception ex) when (ex is BadImageFormatException or InvalidOperationException or ArgumentException or IOException or NotSupportedException or IndexOutOfRangeException or OverflowException or NullReferenceException or EndOfStreamException)
        {
            _moduleError = $"the assembly's metadata could not be read ({ex.GetType().Name})";
            return null;
        }
    }

    /// <summary>
    /// The array (and the length of the image at its start) that <see cref="Module"/> was read from: Cecil reads it
    /// lazily, so it must stay unchanged while this content is used; null until then. <see cref="ModuleIndex"/> indexes
    /// the same bytes instead of a copy.
    /// </summary>
    internal (byte[] Array, int Length)? ModuleImage { get; private set; }

    /// <summary>Why <see cref="Module"/> is null for an entry that looked like an assembly.</summary>
    public string? ModuleError => Module is null ? _moduleError : null;

    /// <summary>
    /// A Roslyn syntax tree of <see cref="Text"/> (C# latest, script kind for <c>.csx</c>). Parsing never fails; errors
    /// are in the tree's diagnostics. Text nested deeper than <see cref="NestingGuard.MaxDepth"/> is not parsed (the
    /// parser would overflow the stack): the tree is then empty and <see cref="ParseRefusal"/> says why.
    /// </summary>
    public SyntaxTree CSharpSyntaxTree => _syntaxTree ??= ParseCSharp();

    /// <summary>Why a parser view of this entry was left empty (too deeply nested to parse safely), or null.</summary>
    public string? ParseRefusal { get; private set; }

    private SyntaxTree ParseCSharp()
    {
        var options = new CSharpParseOptions(LanguageVersion.Latest,
            kind: _path.EndsWith(".csx", StringComparison.OrdinalIgnoreCase) ? SourceCodeKind.Script : SourceCodeKind.Regular);
        var text = Text;
        if (NestingGuard.Refusal(text, indentation: false) is { } why)
        {
            ParseRefusal = $"not parsed as C#: {why}; only its text was scanned";
            text = string.Empty;
        }
        return Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(SourceText.From(text), options, path: _path);
    }

    /// <summary>Resolves nothing: the package's references are never looked up or loaded.</summary>
    private sealed class NoAssemblyResolver : IAssemblyResolver
    {
        public static readonly NoAssemblyResolver Instance = new();
        public AssemblyDefinition Resolve(AssemblyNameReference name) => throw new AssemblyResolutionException(name);
        public AssemblyDefinition Resolve(AssemblyNameReference name, ReaderParameters parameters) => throw new AssemblyResolutionException(name);
        public void Dispose() { }
    }
}

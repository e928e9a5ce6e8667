using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Preflight.Detectors.Migrations;

/// <summary>Reads EF Core migrations from C# source with Roslyn: the class deriving from <c>Migration</c>, its
/// <c>Up</c> method, and the operations it calls. Nothing is compiled or run.</summary>
internal static class EfCoreMigrationReader
{
    /// <summary>The operations of the first migration class in the tree, or null when there is none.</summary>
    public static List<EfSqlPiece>? Read(SyntaxTree tree, CancellationToken cancellationToken)
    {
        var root = tree.GetRoot(cancellationToken);
        var cls = root.DescendantNodes().OfType<ClassDeclarationSyntax>()
            .FirstOrDefault(c => c.BaseList?.Types.Any(t => t.Type.ToString() is "Migration" or "Microsoft.EntityFrameworkCore.Migrations.Migration") == true);
        if (cls is null) return null;
        var up = cls.Members.OfType<MethodDeclarationSyntax>().FirstOrDefault(m => m.Identifier.Text == "Up");
        var pieces = new List<EfSqlPiece>();
        if (up is null) return pieces;
        foreach (var call in up.DescendantNodes().OfType<InvocationExpressionSyntax>())
        {
            if (call.Expression is not MemberAccessExpressionSyntax member) continue;
            string name = member.Name switch
            {
                GenericNameSyntax g => g.Identifier.Text,
                var n => n.Identifier.Text,
            };
            if (member.Expression is not IdentifierNameSyntax) continue; // migrationBuilder.X(...), not chained calls
            var pos = call.GetLocation().GetLineSpan().StartLinePosition;
            int line = pos.Line + 1, column = pos.Character + 1;
            var parameters = EfCoreOperations.ParameterNames(name);
            if (parameters is null) continue;
            var args = new Args(call.ArgumentList, parameters);
            if (EfCoreOperations.Translate(name, args, Concurrently(call), line, column, call.ToString()) is { } piece) pieces.Add(piece);
        }
        return pieces;
    }

    private static bool Concurrently(InvocationExpressionSyntax call)
    {
        // migrationBuilder.CreateIndex(...).Annotation("Npgsql:CreatedConcurrently", true)
        SyntaxNode node = call;
        while (node.Parent is MemberAccessExpressionSyntax { Parent: InvocationExpressionSyntax outer } access && access.Expression == node)
        {
            if (outer.ArgumentList.Arguments.Count == 2
                && outer.ArgumentList.Arguments[0].Expression is LiteralExpressionSyntax l && l.Token.ValueText == EfCoreOperations.ConcurrentlyAnnotation
                && outer.ArgumentList.Arguments[1].Expression.IsKind(SyntaxKind.TrueLiteralExpression))
                return true;
            node = outer;
        }
        return false;
    }

    /// <summary>Arguments by name: named arguments, else positional ones by the parameter's position.</summary>
    private sealed class Args(ArgumentListSyntax list, IReadOnlyList<string> parameters) : IEfArguments
    {
        private ArgumentSyntax? Find(string name)
        {
            foreach (var a in list.Arguments)
                if (a.NameColon?.Name.Identifier.Text == name) return a;
            int position = -1;
            for (int i = 0; i < parameters.Count; i++) if (parameters[i] == name) { position = i; break; }
            // positional arguments come first; a named one ends them
            for (int i = 0; i <= position && i < list.Arguments.Count; i++)
                if (list.Arguments[i].NameColon is not null) return null;
            return position >= 0 && position < list.Arguments.Count ? list.Arguments[position] : null;
        }

        public bool Has(string name) => Find(name) is { } a && !a.Expression.IsKind(SyntaxKind.NullLiteralExpression);

        public string? String(string name) => Find(name)?.Expression switch
        {
            LiteralExpressionSyntax l when l.IsKind(SyntaxKind.StringLiteralExpression) => l.Token.ValueText,
            InterpolatedStringExpressionSyntax i when i.Contents.All(c => c is InterpolatedStringTextSyntax) => string.Concat(i.Contents.Select(c => ((InterpolatedStringTextSyntax)c).TextToken.ValueText)),
            _ => null,
        };

        public bool Bool(string name) => Find(name)?.Expression.IsKind(SyntaxKind.TrueLiteralExpression) == true;
    }

    /// <summary>The migration id from a file name such as <c>20240101120000_AddOrders.cs</c>.</summary>
    public static string? MigrationId(string fileName)
    {
        int underscore = fileName.IndexOf('_', StringComparison.Ordinal);
        return underscore >= 8 && long.TryParse(fileName.AsSpan(0, underscore), NumberStyles.None, CultureInfo.InvariantCulture, out _)
            ? fileName[..^3]
            : null;
    }
}

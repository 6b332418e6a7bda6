using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Halo.Api.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class OneAuditLog : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "After",
                table: "audit_log",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Before",
                table: "audit_log",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RelatedEntityId",
                table: "audit_log",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_audit_log_RelatedEntityId",
                table: "audit_log",
                column: "RelatedEntityId");

            // Moderation decisions move into the one audit log; nothing recorded before this migration is lost.
            migrationBuilder.Sql(@"INSERT INTO ""audit_log"" (""Id"", ""At"", ""Actor"", ""Action"", ""EntityType"", ""EntityId"", ""RelatedEntityId"", ""Reason"", ""Before"", ""After"", ""Details"")
SELECT ""Id"", ""At"", ""Actor"", 'moderation.' || ""Action"", 'incident', lower(""IncidentId""), lower(""TargetIncidentId""), ""Reason"",
       ""PreviousStatus"", ""NewStatus"", '{""reports_moved"":' || ""ReportsMoved"" || '}'
FROM ""moderation_actions"";");

            migrationBuilder.DropTable(
                name: "moderation_actions");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_audit_log_RelatedEntityId",
                table: "audit_log");

            migrationBuilder.DropColumn(
                name: "After",
                table: "audit_log");

            migrationBuilder.DropColumn(
                name: "Before",
                table: "audit_log");

            migrationBuilder.DropColumn(
                name: "RelatedEntityId",
                table: "audit_log");

            migrationBuilder.CreateTable(
                name: "moderation_actions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Action = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Actor = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    IncidentId = table.Column<Guid>(type: "TEXT", nullable: false),
                    NewStatus = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    PreviousStatus = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    ReportsMoved = table.Column<int>(type: "INTEGER", nullable: false),
                    TargetIncidentId = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_moderation_actions", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_moderation_actions_At",
                table: "moderation_actions",
                column: "At");

            migrationBuilder.CreateIndex(
                name: "IX_moderation_actions_IncidentId_At",
                table: "moderation_actions",
                columns: new[] { "IncidentId", "At" });
        }
    }
}

using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Halo.Api.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Classification : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "model_versions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Version = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    TrainedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    DataFrom = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    DataTo = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    ExampleCount = table.Column<int>(type: "integer", nullable: false),
                    ModelName = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    WhyChosen = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    MetricsJson = table.Column<string>(type: "text", nullable: true),
                    SettingsJson = table.Column<string>(type: "text", nullable: true),
                    Artifact = table.Column<byte[]>(type: "bytea", nullable: true),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Error = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_model_versions", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_model_versions_Kind_Status_TrainedAt",
                table: "model_versions",
                columns: new[] { "Kind", "Status", "TrainedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_model_versions_Kind_Version",
                table: "model_versions",
                columns: new[] { "Kind", "Version" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "model_versions");
        }
    }
}

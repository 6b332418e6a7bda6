using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Halo.Api.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Ingestion : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "incident_geocodes",
                columns: table => new
                {
                    IncidentId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Outcome = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    OriginalLatitude = table.Column<double>(type: "REAL", nullable: false),
                    OriginalLongitude = table.Column<double>(type: "REAL", nullable: false),
                    OriginalPrecisionM = table.Column<double>(type: "REAL", nullable: false),
                    RefinedLatitude = table.Column<double>(type: "REAL", nullable: true),
                    RefinedLongitude = table.Column<double>(type: "REAL", nullable: true),
                    RefinedPrecisionM = table.Column<double>(type: "REAL", nullable: true),
                    Query = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    MatchedName = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    AttemptedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_incident_geocodes", x => x.IncidentId);
                    table.ForeignKey(
                        name: "FK_incident_geocodes_incidents_IncidentId",
                        column: x => x.IncidentId,
                        principalTable: "incidents",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ingestion_runs",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Source = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Trigger = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    StartedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    FinishedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Succeeded = table.Column<bool>(type: "INTEGER", nullable: false),
                    Fetched = table.Column<int>(type: "INTEGER", nullable: false),
                    New = table.Column<int>(type: "INTEGER", nullable: false),
                    Updated = table.Column<int>(type: "INTEGER", nullable: false),
                    Unchanged = table.Column<int>(type: "INTEGER", nullable: false),
                    Rejected = table.Column<int>(type: "INTEGER", nullable: false),
                    Error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    HttpStatus = table.Column<int>(type: "INTEGER", nullable: true),
                    NewestEventAt = table.Column<long>(type: "INTEGER", nullable: true),
                    LagSeconds = table.Column<double>(type: "REAL", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ingestion_runs", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ingestion_runs_Source_StartedAt",
                table: "ingestion_runs",
                columns: new[] { "Source", "StartedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "incident_geocodes");

            migrationBuilder.DropTable(
                name: "ingestion_runs");
        }
    }
}

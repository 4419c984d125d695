DROP TABLE numbers;
